// Starts provider-sim and every service as separate local processes (after `npm run build`)
// against NATS, Postgres and Redis from NATS_URL, DATABASE_URL and REDIS_URL; Ctrl-C stops them.
// `npm run start:distributed -- --nats-auth`: its own nats-server instead of NATS_URL, every
// service on its own generated credentials and permissions (JetStream data gone when stopped).
const { startStack } = require('../dist/libs/platform/testing/src');

const main = async () => {
  const stack = await startStack({
    mode: 'distributed',
    authenticatedNats: process.argv.includes('--nats-auth'),
    bootstrapKey: process.env.POLYMUX_BOOTSTRAP_KEY,
    bootstrapCreditsUsd: Number(process.env.POLYMUX_BOOTSTRAP_CREDITS_USD ?? 100),
    env: {
      PORT: process.env.PORT ?? '8080',
      CONTROL_PORT: process.env.CONTROL_PORT ?? '8081',
      PROVIDER_SIM_PORT: process.env.PROVIDER_SIM_PORT ?? '8090',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'log',
    },
  });
  console.log(`ingress       ${stack.ingressUrl}`);
  console.log(`admin API     ${stack.controlUrl}/admin/v1`);
  console.log(`provider-sim  ${stack.providerSimUrl}`);
  console.log(`nats          ${stack.nats.url}${stack.nats.authenticated ? ' (per-service credentials)' : ''}`);
  console.log(`logs          ${stack.logDir}`);
  const stop = () => stack.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
