import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** What the distributed stack's billing reads: its Postgres, Redis (and key prefix) and NATS. */
export interface BillingStores {
  DATABASE_URL: string;
  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;
  NATS_URL: string;
}

/**
 * Runs `npm run billing:reconcile`'s command (from `dist/`) on some accounts against a distributed
 * stack's Postgres and Redis; answers its exit code and output.
 */
export const reconcileAccounts = (stores: BillingStores, accounts: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const main = join(__dirname, '../../../dist/apps/billing/src/main.js');
    execFile(
      process.execPath,
      [main, '--reconcile', ...accounts.map((account) => `--account=${account}`)],
      { env: { ...process.env, ...stores, POLYMUX_MODE: 'distributed', OTEL_SDK_DISABLED: 'true', LOG_LEVEL: 'warn' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 2) : 0, output: `${stdout}${stderr}` }),
    );
  });
