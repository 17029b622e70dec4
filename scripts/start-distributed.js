// Starts provider-sim and every service as separate local processes (after `npm run build`)
// against NATS, Postgres and Redis from NATS_URL, DATABASE_URL and REDIS_URL; Ctrl-C stops them.
const { startStack } = require('../dist/libs/platform/testing/src');

const main = async () => {
  const stack = await startStack({
    mode: 'distributed',
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
  console.log(`logs          ${stack.logDir}`);
  const stop = () => stack.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
