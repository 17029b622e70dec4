import { ConfigError, loadConfig } from '@polymux/config';
import { acquireDatabase, releaseDatabase } from '@polymux/database';
import { createRedis } from '@polymux/redis';
import type { Kysely } from 'kysely';

import type { DB } from '../schema/db';
import { RedisBalanceStore } from '../store/redis-balance.store';
import { reconcile } from './reconcile';

/** Exit codes of `npm run billing:reconcile`. */
export const ReconcileExit = { clean: 0, differences: 1, failed: 2 } as const;

/**
 * `main.js --reconcile` (`npm run billing:reconcile`): checks the billing invariants on the
 * configured database and, in the distributed mode, Redis's balances against the ledger; prints
 * every difference and exits 0 when there is none, 1 when there are, 2 when it could not check.
 * Read-only. A store difference is read again a few times before it counts: a settlement between
 * its ledger write and its Redis write is not one. In the embedded mode the balances live in the
 * gateway's memory: only the ledger is checked (with the gateway stopped, as PGlite has one writer).
 * `--account=<id>` (repeatable) checks only those customer accounts (the request-wide checks stay).
 */
export const runReconcile = (): void => {
  const run = async (): Promise<number> => {
    const config = loadConfig('billing');
    const root = await acquireDatabase(config.database);
    const redis = createRedis(config.counters);
    try {
      const db = root.withSchema('billing') as unknown as Kysely<DB>;
      const store = redis ? new RedisBalanceStore(redis) : undefined;
      if (!store) console.log('billing: no Redis configured (embedded mode): checking the ledger only');
      const accounts = process.argv
        .filter((arg) => arg.startsWith('--account='))
        .map((arg) => arg.slice('--account='.length));
      const differences = await reconcile(db, {
        store,
        storeRetries: 3,
        retryDelayMs: 1_000,
        ...(accounts.length > 0 ? { accounts } : {}),
      });
      for (const difference of differences) console.error(`billing: ${difference.check}: ${difference.detail}`);
      if (differences.length > 0) {
        console.error(`billing: ${differences.length} difference(s)`);
        return ReconcileExit.differences;
      }
      console.log('billing: the ledger and the balance store reconcile');
      return ReconcileExit.clean;
    } finally {
      await redis?.quit();
      await releaseDatabase(config.database);
    }
  };
  run().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(error.message);
      else console.error(`billing reconciliation failed: ${(error as Error).message}`);
      process.exit(ReconcileExit.failed);
    },
  );
};
