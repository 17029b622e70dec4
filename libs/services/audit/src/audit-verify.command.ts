import { ConfigError, loadConfig } from '@polymux/config';
import { acquireDatabase, releaseDatabase } from '@polymux/database';
import type { Kysely } from 'kysely';

import type { ChainVerification } from './audit-chain';
import { AuditVerifier } from './audit-verifier';
import { AuditRepository } from './audit.repository';
import type { DB } from './schema/db';

/** Exit codes of `npm run audit:verify`. */
export const VerifyExit = { valid: 0, broken: 1, failed: 2 } as const;

export const describeVerification = (result: ChainVerification): string => {
  if (result.valid) return `audit chain ${result.chainId}: ok, ${result.records} records, head ${result.head}`;
  const { id, seq, position, expected, found } = result.brokenAt;
  const where = id === null ? `position ${position} (missing)` : `record ${id} (seq ${seq}, position ${position})`;
  return (
    `audit chain ${result.chainId}: BROKEN at ${where}: ${result.reason} (expected ${expected}, found ${found}); ` +
    `${result.records} records before it verify`
  );
};

/**
 * `main.js --verify` (`npm run audit:verify`): recomputes every audit chain in the configured
 * database (`DATABASE_URL`, or the PGlite data dir in the embedded mode, with the gateway stopped)
 * and exits 0 when all verify, 1 naming the first broken record of each broken chain, 2 when it
 * could not read them. Read-only: it neither migrates nor writes.
 */
export const runAuditVerify = (): void => {
  const run = async (): Promise<number> => {
    const config = loadConfig('audit');
    const root = await acquireDatabase(config.database);
    try {
      const verifier = new AuditVerifier(new AuditRepository(root.withSchema('audit') as unknown as Kysely<DB>));
      const results = await verifier.verifyAll();
      for (const result of results) (result.valid ? console.log : console.error)(describeVerification(result));
      const broken = results.filter((result) => !result.valid).length;
      const records = results.reduce((sum, result) => sum + result.records, 0);
      if (broken > 0) {
        console.error(`audit: ${broken} of ${results.length} chains broken`);
        return VerifyExit.broken;
      }
      console.log(`audit: ${results.length} chains, ${records} records verified`);
      return VerifyExit.valid;
    } finally {
      await releaseDatabase(config.database);
    }
  };
  run().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(error.message);
      else console.error(`audit verification failed: ${(error as Error).message}`);
      process.exit(VerifyExit.failed);
    },
  );
};
