// `npm run nats:config -- [--k8s] [--prefix <NATS_SUBJECT_PREFIX>] [--out <dir or file>] [--namespace <ns>]`
// writes the NATS authentication of a deployment, derived from the subject map: a nats-server
// configuration with one user per service, each allowed only the subjects it needs, and each
// service's NATS_USER/NATS_PASSWORD (random passwords).
//   default  deploy/compose/nats/{nats-server.conf,<service>.env} for docker-compose.yml
//            (passwords already there are kept, so rerunning after a subject change only updates
//            the permissions)
//   --k8s    one manifest with the polymux-nats-server and polymux-nats-<service> Secrets, to
//            stdout or --out; apply it with `kubectl apply -f` (new passwords on every run)
const { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');

const { SERVICE_NAMES } = require('../dist/libs/contracts/src');
const { composeFiles, kubernetesSecrets, passwordsFromEnvFiles } = require('../dist/libs/platform/nats-auth/src');

const { values } = parseArgs({
  options: {
    k8s: { type: 'boolean', default: false },
    prefix: { type: 'string', default: process.env.NATS_SUBJECT_PREFIX ?? '' },
    out: { type: 'string' },
    namespace: { type: 'string', default: 'polymux' },
  },
});

const writeSecret = (path, content) => {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
};

if (values.k8s) {
  const manifest = kubernetesSecrets(values.prefix, values.namespace);
  if (!values.out) process.stdout.write(manifest);
  else {
    writeSecret(resolve(values.out), manifest);
    console.error(`wrote ${values.out}: apply it with kubectl apply -f ${values.out}, then delete it`);
  }
} else {
  const dir = resolve(values.out ?? join(__dirname, '..', 'deploy', 'compose', 'nats'));
  mkdirSync(dir, { recursive: true });
  const earlier = {};
  for (const service of SERVICE_NAMES) {
    const file = join(dir, `${service}.env`);
    if (existsSync(file)) earlier[service] = readFileSync(file, 'utf8');
  }
  for (const file of composeFiles(values.prefix, passwordsFromEnvFiles(earlier))) {
    writeSecret(join(dir, file.name), file.content);
  }
  console.error(`wrote ${dir}: nats-server.conf and ${SERVICE_NAMES.map((s) => `${s}.env`).join(', ')}`);
}
