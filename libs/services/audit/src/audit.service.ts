import { Injectable, Logger } from '@nestjs/common';
import type { AuditRecorded, RequestOf, ResponseOf, Subjects } from '@polymux/contracts';
import type { Insertable } from 'kysely';

import type { ChainVerification } from './audit-chain';
import { GENESIS_HASH, chainHash, chainIdOf } from './audit-chain';
import { AuditVerifier, toRecord } from './audit-verifier';
import { AuditRepository } from './audit.repository';
import { ChainAppender } from './chain-appender';
import type { RecordsTable } from './schema/tables/records.table';

/** The row of a record at `position` in its chain, after `prevHash`. */
const toRow = (
  chainId: string,
  position: number,
  record: AuditRecorded,
  prevHash: string,
): Insertable<RecordsTable> => ({
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
  chain_id: chainId,
  chain_pos: position,
  prev_hash: prevHash,
  hash: chainHash(prevHash, record),
});

/** Postgres stores no NUL in text or jsonb: such a fact would fail on every redelivery. */
const storable = (text: string): string => text.replaceAll('\u0000', '\uFFFD');
const storableOrNull = (text: string | null): string | null => (text === null ? null : storable(text));

/** The fact as it can be stored, and therefore as it is hashed: NUL characters become U+FFFD. */
const normalise = (event: AuditRecorded, occurredAt: Date): AuditRecorded => ({
  id: storable(event.id),
  category: event.category,
  action: storable(event.action),
  outcome: event.outcome,
  actorKeyId: storableOrNull(event.actorKeyId),
  orgId: storableOrNull(event.orgId),
  projectId: storableOrNull(event.projectId),
  requestId: storableOrNull(event.requestId),
  target: storableOrNull(event.target),
  metadata: Object.fromEntries(
    Object.entries(event.metadata).map(([key, value]) => [
      storable(key),
      typeof value === 'string' ? storable(value) : value,
    ]),
  ),
  occurredAt: occurredAt.toISOString(),
});

/** Appends audit facts to their tenant's tamper-evident hash chain, once each, and reads them back. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');
  private readonly appender = new ChainAppender((chainId, records) => this.append(chainId, records));
  private readonly verifier: AuditVerifier;

  constructor(private readonly repository: AuditRepository) {
    this.verifier = new AuditVerifier(repository);
  }

  /**
   * Stores a batch of facts: each chain's share in one transaction (one multi-row insert), chains
   * side by side. Rejects once every chain has finished if any fact could not be stored.
   */
  async recordAll(events: AuditRecorded[]): Promise<void> {
    const byChain = new Map<string, AuditRecorded[]>();
    for (const event of events) {
      const record = this.storable(event);
      if (!record) continue;
      const chainId = chainIdOf(record.orgId);
      const chain = byChain.get(chainId);
      if (chain) chain.push(record);
      else byChain.set(chainId, [record]);
    }
    const outcomes = await Promise.allSettled(
      [...byChain].flatMap(([chainId, records]) => this.appender.appendAll(chainId, records)),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async query(query: RequestOf<typeof Subjects.auditQuery>): Promise<ResponseOf<typeof Subjects.auditQuery>> {
    const rows = await this.repository.find(query);
    return { records: rows.map((row) => ({ ...toRecord(row), seq: Number(row.seq), hash: row.hash })) };
  }

  /** Every chain recomputed from its first record; each result names the first record that breaks it. */
  verifyChains(): Promise<ChainVerification[]> {
    return this.verifier.verifyAll();
  }

  /** The chain of one organisation (null: records without one). */
  verifyOrgChain(orgId: string | null): Promise<ChainVerification> {
    return this.verifier.verify(chainIdOf(orgId));
  }

  /** The fact as it is stored and hashed, or undefined (logged) when it can never be stored. */
  private storable(event: AuditRecorded): AuditRecorded | undefined {
    const occurredAt = new Date(event.occurredAt);
    if (Number.isNaN(occurredAt.getTime())) {
      // Redelivering would not make it valid: report it and let the event go.
      this.logger.error(`dropped audit record ${event.id}: occurredAt is not a time`);
      return undefined;
    }
    return normalise(event, occurredAt);
  }

  /** One transaction under the chain's lock: skips ids already stored, links the rest after the head. */
  private append(chainId: string, records: AuditRecorded[]): Promise<ReadonlySet<string>> {
    return this.repository.withChain(chainId, GENESIS_HASH, async (chain) => {
      const known = await chain.existing(records.map((record) => record.id));
      const stored = new Set<string>();
      const rows: Array<Insertable<RecordsTable>> = [];
      let { hash, length } = chain.head;
      for (const record of records) {
        if (known.has(record.id) || stored.has(record.id)) continue;
        const row = toRow(chainId, length + 1, record, hash);
        rows.push(row);
        stored.add(record.id);
        hash = row.hash;
        length += 1;
      }
      if (rows.length > 0) {
        await chain.insert(rows);
        await chain.advance({ hash, length });
      }
      return stored;
    });
  }
}
