import { Injectable, Logger } from '@nestjs/common';
import type { AuditRecorded, RequestOf, ResponseOf, Subjects } from '@polymux/contracts';

import type { ChainVerification } from './audit-chain';
import { ChainVerifier, GENESIS_HASH, chainHash } from './audit-chain';
import type { StoredRecord } from './audit.repository';
import { AuditRepository } from './audit.repository';

const VERIFY_PAGE = 1_000;

/** The stored form of a fact: what its hash covers. */
const toRecord = (row: StoredRecord): AuditRecorded => ({
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

/** Appends audit facts to a tamper-evident hash chain, once each, and reads them back. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(private readonly repository: AuditRepository) {}

  /** Stores a fact at the head of the chain; false when its id is already stored (a redelivery). */
  async record(event: AuditRecorded): Promise<boolean> {
    const occurredAt = new Date(event.occurredAt);
    if (Number.isNaN(occurredAt.getTime())) {
      // Redelivering would not make it valid: report it and let the event go.
      this.logger.error(`dropped audit record ${event.id}: occurredAt ${event.occurredAt} is not a time`);
      return false;
    }
    const record: AuditRecorded = { ...event, occurredAt: occurredAt.toISOString() };
    return this.repository.withChainLock(async (chain) => {
      if (await chain.exists(record.id)) return false;
      const prevHash = (await chain.lastHash()) ?? GENESIS_HASH;
      await chain.insert({
        id: record.id,
        category: record.category,
        action: record.action,
        outcome: record.outcome,
        actor_key_id: record.actorKeyId,
        org_id: record.orgId,
        project_id: record.projectId,
        request_id: record.requestId,
        target: record.target,
        metadata: JSON.stringify(record.metadata),
        occurred_at: record.occurredAt,
        prev_hash: prevHash,
        hash: chainHash(prevHash, record),
      });
      return true;
    });
  }

  async query(query: RequestOf<typeof Subjects.auditQuery>): Promise<ResponseOf<typeof Subjects.auditQuery>> {
    const rows = await this.repository.find(query);
    return { records: rows.map((row) => ({ ...toRecord(row), seq: Number(row.seq), hash: row.hash })) };
  }

  /** Recomputes the whole chain from the first record; reports the first record that breaks it. */
  async verifyChain(): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    for (let after: string | null = null; ;) {
      const rows = await this.repository.page(after, VERIFY_PAGE);
      for (const row of rows) {
        const broken = verifier.check(Number(row.seq), toRecord(row), row.prev_hash, row.hash);
        if (broken) return broken;
      }
      if (rows.length < VERIFY_PAGE) return verifier.result();
      after = String(rows[rows.length - 1].seq);
    }
  }
}
