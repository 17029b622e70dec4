import { Inject, Injectable } from '@nestjs/common';
import type { AuditFilters } from '@polymux/contracts';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';

import type { DB } from './schema/db';
import { AUDIT_DB } from './schema/db';
import type { RecordsTable } from './schema/tables/records.table';

export type StoredRecord = Selectable<RecordsTable>;

/** The filters that name one column's value. */
const EQUALITY_FILTERS = [
  ['action', 'action'],
  ['category', 'category'],
  ['orgId', 'org_id'],
  ['projectId', 'project_id'],
  ['requestId', 'request_id'],
] as const satisfies ReadonlyArray<[keyof AuditFilters, keyof RecordsTable]>;

export interface ChainHead {
  hash: string;
  length: number;
}

/** Writes to one chain while its head row is locked: one appender per chain at a time, across every replica. */
export interface ChainWriter {
  /** The chain's head as locked by this transaction. */
  readonly head: ChainHead;
  /** Which of `ids` are stored already, in any chain. */
  existing(ids: string[]): Promise<Set<string>>;
  insert(records: Array<Insertable<RecordsTable>>): Promise<void>;
  advance(head: ChainHead): Promise<void>;
}

const headOf = (row: { head_hash: string; length: string | number | bigint }): ChainHead => ({
  hash: row.head_hash,
  length: Number(row.length),
});

/** The audit trail's I/O: appends under a per-chain row lock, filtered reads and scans in chain order. */
@Injectable()
export class AuditRepository {
  constructor(@Inject(AUDIT_DB) private readonly db: Kysely<DB>) {}

  /**
   * Runs `work` in one transaction holding the lock on the chain's head row (created at
   * `genesisHash` on first use), released at commit or rollback. Other chains are not blocked.
   */
  withChain<T>(chainId: string, genesisHash: string, work: (chain: ChainWriter) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const head = (await this.lockHead(trx, chainId)) ?? (await this.createHead(trx, chainId, genesisHash));
      return work({
        head,
        existing: async (ids) => {
          const rows = await trx.selectFrom('records').select('id').where('id', 'in', ids).execute();
          return new Set(rows.map((row) => row.id));
        },
        insert: async (records) => {
          await trx.insertInto('records').values(records).execute();
        },
        advance: async ({ hash, length }) => {
          await trx
            .updateTable('chains')
            .set({ head_hash: hash, length })
            .where('chain_id', '=', chainId)
            .executeTakeFirstOrThrow();
        },
      });
    });
  }

  /** Newest first: the records matching every filter given, below `beforeSeq`, `offset` of them skipped. */
  find(filter: AuditFilters & { beforeSeq?: number; offset?: number; limit: number }): Promise<StoredRecord[]> {
    let query = this.db.selectFrom('records').selectAll();
    const { actor } = filter;
    if (actor !== undefined)
      query = query.where((row) => row.or([row('actor_key_id', '=', actor), row('actor_user_id', '=', actor)]));
    for (const [name, column] of EQUALITY_FILTERS) {
      const value = filter[name];
      if (value !== undefined) query = query.where(column, '=', value);
    }
    if (filter.from !== undefined) query = query.where('occurred_at', '>=', new Date(filter.from));
    if (filter.to !== undefined) query = query.where('occurred_at', '<', new Date(filter.to));
    if (filter.beforeSeq !== undefined) query = query.where('seq', '<', String(filter.beforeSeq));
    return query
      .orderBy('seq', 'desc')
      .limit(filter.limit)
      .offset(filter.offset ?? 0)
      .execute();
  }

  /** Every chain that has a head or a record, so a chain whose head vanished is still verified. */
  async chainIds(): Promise<string[]> {
    const heads = await this.db.selectFrom('chains').select('chain_id').execute();
    const withRecords = await this.db.selectFrom('records').select('chain_id').groupBy('chain_id').execute();
    return [...new Set([...heads, ...withRecords].map((row) => row.chain_id))].sort();
  }

  async head(chainId: string): Promise<ChainHead | undefined> {
    const row = await this.db
      .selectFrom('chains')
      .select(['head_hash', 'length'])
      .where('chain_id', '=', chainId)
      .executeTakeFirst();
    return row && headOf(row);
  }

  /** A chain's records after position `afterPosition`, in chain order, `limit` at a time. */
  page(chainId: string, afterPosition: number, limit: number): Promise<StoredRecord[]> {
    return this.db
      .selectFrom('records')
      .selectAll()
      .where('chain_id', '=', chainId)
      .where('chain_pos', '>', afterPosition)
      .orderBy('chain_pos')
      .limit(limit)
      .execute();
  }

  private async lockHead(trx: Transaction<DB>, chainId: string): Promise<ChainHead | undefined> {
    const row = await trx
      .selectFrom('chains')
      .select(['head_hash', 'length'])
      .where('chain_id', '=', chainId)
      .forUpdate()
      .executeTakeFirst();
    return row && headOf(row);
  }

  /** A new chain's head; a replica creating it at the same time waits, then both lock the one row. */
  private async createHead(trx: Transaction<DB>, chainId: string, genesisHash: string): Promise<ChainHead> {
    await trx
      .insertInto('chains')
      .values({ chain_id: chainId, head_hash: genesisHash, length: 0 })
      .onConflict((conflict) => conflict.column('chain_id').doNothing())
      .execute();
    const head = await this.lockHead(trx, chainId);
    if (!head) throw new Error(`audit chain ${chainId} has no head`);
    return head;
  }
}
