import './instrument';

import { ConfigError, loadConfig } from '@polymux/config';
import { startProviderSim } from '@polymux/provider-sim';

const main = async (): Promise<void> => {
  const config = loadConfig('provider-sim');
  const sim = await startProviderSim({ port: config.providerSim.port, host: config.http.host });
  // The launcher (`startStack`) and operators wait for this line.
  process.stdout.write(`polymux provider-sim ready ${sim.url}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
};

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('provider-sim failed to start:', error);
  process.exit(1);
});
