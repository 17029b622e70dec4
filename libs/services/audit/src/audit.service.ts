import { Injectable, Logger } from '@nestjs/common';
import type { AuditRecorded, RequestOf, ResponseOf, Subjects } from '@polymux/contracts';
import type { Insertable } from 'kysely';

import type { ChainVerification } from './audit-chain';
import { GENESIS_HASH, chainIdOf } from './audit-chain';
import { AuditVerifier, summarise } from './audit-verifier';
import { AuditRepository } from './audit.repository';
import { ChainAppender } from './chain-appender';
import { normalise, toRecord, toRow } from './record-form';
import type { RecordsTable } from './schema/tables/records.table';

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

  /** A page of the trail, newest first; `more` when records match beyond it. */
  async query(query: RequestOf<typeof Subjects.auditQuery>): Promise<ResponseOf<typeof Subjects.auditQuery>> {
    const rows = await this.repository.find({ ...query, limit: query.limit + 1 });
    return {
      records: rows.slice(0, query.limit).map((row) => ({ ...toRecord(row), seq: Number(row.seq), hash: row.hash })),
      more: rows.length > query.limit,
    };
  }

  /** Every chain, or one organisation's, recomputed; the answer names the first broken link. */
  async verify(request: RequestOf<typeof Subjects.auditVerify>): Promise<ResponseOf<typeof Subjects.auditVerify>> {
    const results =
      request.orgId === undefined ? await this.verifier.verifyAll() : [await this.verifyOrgChain(request.orgId)];
    return summarise(results);
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
