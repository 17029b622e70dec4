import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import type { Int8 } from '../schema/columns';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import type { TransactionKind } from '../schema/tables/transactions.table';
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
  inserted: boolean;
}

export interface AccountBalances {
  /** Database time the sums were read at. */
  asOf: Date;
  balances: Array<{ account: string; balance: bigint }>;
}

export interface LedgerRow {
  id: string;
  transactionId: string;
  account: string;
  amount: bigint;
  kind: TransactionKind;
  requestId: string | null;
  createdAt: Date;
}

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
        .returning(['id', 'created_at'])
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
        return { ...transaction, id, createdAt: inserted.created_at, inserted: true };
      }
      const existing = await trx
        .selectFrom('transactions')
        .select(['id', 'kind', 'request_id', 'created_at'])
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
        inserted: false,
      };
    });
  }

  /** Sum of every account's entries, except accounts starting with `excludedPrefix`. */
  async balances(excludedPrefix: string): Promise<AccountBalances> {
    const rows = await this.db
      .selectFrom('entries')
      .select((eb) => ['account', eb.fn.sum<Int8>('amount').as('balance'), sql<Date>`now()`.as('as_of')])
      .where('account', 'not like', `${excludedPrefix}%`)
      .groupBy('account')
      .execute();
    const asOf = rows[0]?.as_of ?? new Date();
    return { asOf, balances: rows.map((row) => ({ account: row.account, balance: BigInt(row.balance) })) };
  }

  /** Sum of one account's entries. */
  async balanceOf(account: string): Promise<{ asOf: Date; balance: bigint }> {
    const row = await this.db
      .selectFrom('entries')
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<Int8>('amount'), sql<Int8>`0`).as('balance'),
        sql<Date>`now()`.as('as_of'),
      ])
      .where('account', '=', account)
      .executeTakeFirstOrThrow();
    return { asOf: row.as_of, balance: BigInt(row.balance) };
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
