import type { AuditChainBreak, AuditVerification } from '@polymux/contracts';

import type { ChainVerification } from './audit-chain';
import { ChainVerifier } from './audit-chain';
import type { AuditRepository } from './audit.repository';
import { toRecord } from './record-form';

const PAGE = 1_000;

/** Recomputes chains from their first record and compares them with their stored heads. */
export class AuditVerifier {
  constructor(private readonly repository: AuditRepository) {}

  async verifyAll(): Promise<ChainVerification[]> {
    const results: ChainVerification[] = [];
    for (const chainId of await this.repository.chainIds()) results.push(await this.verify(chainId));
    return results;
  }

  /** Reads the head first: records appended meanwhile lie beyond it and are left for the next run. */
  async verify(chainId: string): Promise<ChainVerification> {
    const head = await this.repository.head(chainId);
    const verifier = new ChainVerifier(chainId);
    const last = head?.length ?? Number.MAX_SAFE_INTEGER;
    for (let after = 0; after < last;) {
      const rows = await this.repository.page(chainId, after, Math.min(PAGE, last - after));
      for (const row of rows) {
        const broken = verifier.check({
          seq: Number(row.seq),
          position: Number(row.chain_pos),
          record: toRecord(row),
          prevHash: row.prev_hash,
          hash: row.hash,
        });
        if (broken) return broken;
      }
      if (rows.length === 0) break;
      after = Number(rows[rows.length - 1].chain_pos);
    }
    return verifier.finish(head);
  }
}

/** What an auditor reads: whether every chain verified, how many records did, and the first break (lowest seq). */
export const summarise = (results: ChainVerification[]): AuditVerification => {
  const breaks: AuditChainBreak[] = results.flatMap((result) =>
    result.valid ? [] : [{ chainId: result.chainId, reason: result.reason, ...result.brokenAt }],
  );
  // A missing end has no seq: it comes after every break that names a record.
  breaks.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
  return {
    ok: breaks.length === 0,
    checked: results.reduce((sum, result) => sum + result.records, 0),
    chains: results.length,
    firstBroken: breaks[0] ?? null,
  };
};
