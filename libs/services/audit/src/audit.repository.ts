import { Inject, Injectable } from '@nestjs/common';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';

import type { DB } from './schema/db';
import { AUDIT_DB } from './schema/db';
import type { RecordsTable } from './schema/tables/records.table';

export type StoredRecord = Selectable<RecordsTable>;

/** Writes to the chain while the chain lock is held: one appender at a time, across every replica. */
export interface ChainWriter {
  exists(id: string): Promise<boolean>;
  /** Hash of the newest record; null while the chain is empty. */
  lastHash(): Promise<string | null>;
  insert(record: Insertable<RecordsTable>): Promise<void>;
}

/** Arbitrary, unique to the audit chain: the `pg_advisory_xact_lock` key serialising appends. */
const CHAIN_LOCK_KEY = 7_146_953_212;

/** The audit trail's I/O: serialised appends, filtered reads and a scan in chain order. */
@Injectable()
export class AuditRepository {
  constructor(@Inject(AUDIT_DB) private readonly db: Kysely<DB>) {}

  /** Runs `work` in one transaction holding the chain lock, released at commit or rollback. */
  withChainLock<T>(work: (chain: ChainWriter) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(CHAIN_LOCK_KEY)})`.execute(trx);
      return work({
        exists: async (id) =>
          (await trx.selectFrom('records').select('seq').where('id', '=', id).executeTakeFirst()) !== undefined,
        lastHash: async () =>
          (await trx.selectFrom('records').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst())?.hash ??
          null,
        insert: async (record) => {
          await trx.insertInto('records').values(record).execute();
        },
      });
    });
  }

  /** Newest first. */
  find(filter: { requestId?: string; orgId?: string; limit: number }): Promise<StoredRecord[]> {
    let query = this.db.selectFrom('records').selectAll();
    if (filter.requestId !== undefined) query = query.where('request_id', '=', filter.requestId);
    if (filter.orgId !== undefined) query = query.where('org_id', '=', filter.orgId);
    return query.orderBy('seq', 'desc').limit(filter.limit).execute();
  }

  /** The records after `afterSeq` in chain order, `limit` at a time. */
  page(afterSeq: string | null, limit: number): Promise<StoredRecord[]> {
    let query = this.db.selectFrom('records').selectAll();
    if (afterSeq !== null) query = query.where('seq', '>', afterSeq);
    return query.orderBy('seq').limit(limit).execute();
  }
}
