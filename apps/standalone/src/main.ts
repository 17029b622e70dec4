import './instrument';

import { AuditModule } from '@polymux/audit';
import { BillingModule } from '@polymux/billing';
import { ClassifierModule } from '@polymux/classifier';
import { ConfigError, loadConfig } from '@polymux/config';
import { ControlModule } from '@polymux/control';
import { ExecutorModule } from '@polymux/executor';
import { IngressModule } from '@polymux/ingress';
import { startProviderSim } from '@polymux/provider-sim';
import { RouterModule } from '@polymux/router';
import { startService } from '@polymux/runtime';
import { untraceServerPort } from '@polymux/telemetry';

/**
 * The embedded mode: every service in one process over the in-memory bus, PGlite for Postgres,
 * in-memory counters for Redis, and the provider simulator on a local port for the catalog (unless
 * `PROVIDER_SIM_URL` names one already running).
 */
const main = async () => {
  const defaults = { POLYMUX_MODE: 'embedded', POLYMUX_BOOTSTRAP_CREDITS_USD: '100', ...process.env };
  const config = loadConfig('standalone', {}, defaults);
  // A simulator named by PROVIDER_SIM_URL runs elsewhere (as a provider would: the benchmark's upstream
  // must not share this process's one thread); else the embedded mode brings its own.
  const sim = config.providerSim.external
    ? undefined
    : await startProviderSim({ port: config.providerSim.port, host: '127.0.0.1' });
  const simUrl = sim?.url ?? config.providerSim.url;
  process.stdout.write(`polymux provider-sim ready ${simUrl}\n`);
  // The simulator stands in for an external provider: its requests are not part of Polymux's traces.
  if (sim) untraceServerPort(Number(new URL(sim.url).port));
  const service = await startService(
    {
      name: 'standalone',
      modules: [
        ControlModule,
        BillingModule,
        AuditModule,
        ClassifierModule,
        RouterModule,
        ExecutorModule,
        IngressModule,
      ],
      httpPort: (resolved) => resolved.http.port,
    },
    {
      POLYMUX_MODE: defaults.POLYMUX_MODE,
      POLYMUX_BOOTSTRAP_CREDITS_USD: defaults.POLYMUX_BOOTSTRAP_CREDITS_USD,
      PROVIDER_SIM_URL: simUrl,
    },
  );
  const stop = async () => {
    await service.close();
    await sim?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
};

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
