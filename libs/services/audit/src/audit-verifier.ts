import type { AuditRecorded } from '@polymux/contracts';

import type { ChainVerification } from './audit-chain';
import { ChainVerifier } from './audit-chain';
import type { AuditRepository, StoredRecord } from './audit.repository';

const PAGE = 1_000;

/** The stored form of a fact: what its hash covers. */
export const toRecord = (row: StoredRecord): AuditRecorded => ({
  id: row.id,
  category: row.category,
  action: row.action,
  outcome: row.outcome,
  actorKeyId: row.actor_key_id,
  orgId: row.org_id,
  projectId: row.project_id,
  requestId: row.request_id,
  target: row.target,
  metadata: row.metadata,
  occurredAt: row.occurred_at.toISOString(),
});

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
