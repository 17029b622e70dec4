import { Inject, Injectable } from '@nestjs/common';
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';

import type { Int8 } from '../schema/columns';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import type { TransactionKind } from '../schema/tables/transactions.table';
import type { LedgerSnapshot } from '../store/balance.store';
import type { Posting } from './postings';

export interface NewTransaction {
  kind: TransactionKind;
  idempotencyKey: string;
  requestId: string | null;
  postings: Posting[];
}

/** A transaction as stored; `inserted` is false when its idempotency key was already recorded. */
export interface StoredTransaction extends NewTransaction {
  id: string;
  createdAt: Date;
  /** Postgres transaction id that committed it (see `LedgerSnapshot`). */
  xid: bigint;
  inserted: boolean;
}

export interface AccountBalances {
  /** Exactly which transactions the sums counted. */
  snapshot: LedgerSnapshot;
  balances: Array<{ account: string; balance: bigint }>;
}

/** Parses `pg_snapshot`'s text form `xmin:xmax:xip,xip,…`. */
export const parseSnapshot = (text: string): LedgerSnapshot => {
  const [xmin, xmax, inProgress = ''] = text.split(':');
  return {
    xmin: BigInt(xmin),
    xmax: BigInt(xmax),
    inProgress: inProgress === '' ? [] : inProgress.split(',').map((xid) => BigInt(xid)),
  };
};

export interface LedgerRow {
  id: string;
  transactionId: string;
  account: string;
  amount: bigint;
  kind: TransactionKind;
  requestId: string | null;
  createdAt: Date;
}

/** The transaction's snapshot: in repeatable read, the one every later query of it reads in. */
const snapshotOf = async (trx: Transaction<DB>): Promise<LedgerSnapshot> => {
  const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(trx);
  return parseSnapshot(rows[0].snapshot);
};

/** The ledger's I/O: idempotent inserts, account sums and entry reads. */
@Injectable()
export class LedgerRepository {
  constructor(@Inject(BILLING_DB) private readonly db: Kysely<DB>) {}

  /** Inserts the transaction and its entries once per idempotency key; otherwise returns the stored one. */
  record(transaction: NewTransaction): Promise<StoredTransaction> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('transactions')
        .values({
          kind: transaction.kind,
          idempotency_key: transaction.idempotencyKey,
          request_id: transaction.requestId,
        })
        .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
        .returning(['id', 'created_at', sql<string>`xid::text`.as('xid')])
        .executeTakeFirst();
      if (inserted) {
        const id = String(inserted.id);
        await trx
          .insertInto('entries')
          .values(
            transaction.postings.map((posting) => ({
              transaction_id: id,
              account: posting.account,
              amount: posting.amount.toString(),
            })),
          )
          .execute();
        return { ...transaction, id, createdAt: inserted.created_at, xid: BigInt(inserted.xid), inserted: true };
      }
      const existing = await trx
        .selectFrom('transactions')
        .select(['id', 'kind', 'request_id', 'created_at', sql<string>`xid::text`.as('xid')])
        .where('idempotency_key', '=', transaction.idempotencyKey)
        .executeTakeFirstOrThrow();
      const entries = await trx
        .selectFrom('entries')
        .select(['account', 'amount'])
        .where('transaction_id', '=', String(existing.id))
        .orderBy('id')
        .execute();
      return {
        id: String(existing.id),
        kind: existing.kind,
        idempotencyKey: transaction.idempotencyKey,
        requestId: existing.request_id,
        postings: entries.map((entry) => ({ account: entry.account, amount: BigInt(entry.amount) })),
        createdAt: existing.created_at,
        xid: BigInt(existing.xid),
        inserted: false,
      };
    });
  }

  /**
   * Sum of every account's entries, except accounts starting with `excludedPrefix`, with the
   * snapshot they were read in (one repeatable-read transaction).
   */
  balances(excludedPrefix: string): Promise<AccountBalances> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const snapshot = await snapshotOf(trx);
        const rows = await trx
          .selectFrom('entries')
          .select((eb) => ['account', eb.fn.sum<Int8>('amount').as('balance')])
          .where('account', 'not like', `${excludedPrefix}%`)
          .groupBy('account')
          .execute();
        return { snapshot, balances: rows.map((row) => ({ account: row.account, balance: BigInt(row.balance) })) };
      });
  }

  /** Sum of one account's entries, with the snapshot it was read in. */
  balanceOf(account: string): Promise<{ snapshot: LedgerSnapshot; balance: bigint }> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const snapshot = await snapshotOf(trx);
        const row = await trx
          .selectFrom('entries')
          .select((eb) => eb.fn.coalesce(eb.fn.sum<Int8>('amount'), sql<Int8>`0`).as('balance'))
          .where('account', '=', account)
          .executeTakeFirstOrThrow();
        return { snapshot, balance: BigInt(row.balance) };
      });
  }

  /** An account's entries, newest first. */
  async entries(filter: { account: string; requestId?: string; limit: number }): Promise<LedgerRow[]> {
    let query = this.db
      .selectFrom('entries')
      .innerJoin('transactions', 'transactions.id', 'entries.transaction_id')
      .select([
        'entries.id',
        'entries.transaction_id',
        'entries.account',
        'entries.amount',
        'transactions.kind',
        'transactions.request_id',
        'transactions.created_at',
      ])
      .where('entries.account', '=', filter.account);
    if (filter.requestId !== undefined) query = query.where('transactions.request_id', '=', filter.requestId);
    const rows = await query.orderBy('entries.id', 'desc').limit(filter.limit).execute();
    return rows.map((row) => ({
      id: String(row.id),
      transactionId: String(row.transaction_id),
      account: row.account,
      amount: BigInt(row.amount),
      kind: row.kind,
      requestId: row.request_id,
      createdAt: row.created_at,
    }));
  }
}
