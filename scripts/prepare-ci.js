// Makes sure the local Postgres, Redis and NATS answer and the test databases exist.
const { execSync } = require('node:child_process');
const net = require('node:net');

const services = [
  { name: 'postgres', port: 5432, start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' },
  {
    name: 'redis',
    port: 6379,
    start:
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  },
  {
    name: 'nats',
    port: 4222,
    start:
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
  },
];

const reachable = (port) =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const waitFor = async (service) => {
  for (let i = 0; i < 50; i += 1) {
    if (await reachable(service.port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${service.name} is not reachable on port ${service.port}`);
};

const main = async () => {
  for (const service of services) {
    if (await reachable(service.port)) continue;
    console.log(`starting ${service.name}`);
    execSync(service.start, { stdio: 'inherit', shell: '/bin/bash' });
    await waitFor(service);
  }
  for (const url of [process.env.DATABASE_URL, process.env.E2E_DATABASE_URL]) {
    const parsed = new URL(url);
    const name = parsed.pathname.slice(1);
    parsed.pathname = '/postgres';
    const psql = (sql) => execSync(`psql "${parsed}" -tAc "${sql}"`, { encoding: 'utf8' }).trim();
    const exists = psql(`select 1 from pg_database where datname = '${name}'`) === '1';
    // CI starts every run from empty databases, so nothing an earlier run left (grants due by now,
    // rows of a migration since renamed) changes what the suite sees.
    if (exists && process.env.CI === 'true') {
      psql(`drop database ${name} with (force)`);
      console.log(`dropped database ${name}`);
    }
    if (!exists || process.env.CI === 'true') {
      psql(`create database ${name}`);
      console.log(`created database ${name}`);
    }
  }
};

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
