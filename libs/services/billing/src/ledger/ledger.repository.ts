import { Inject, Injectable } from '@nestjs/common';
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';

import type { Int8 } from '../schema/columns';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import type { TransactionKind } from '../schema/tables/transactions.table';
import type { LedgerSnapshot } from '../store/balance.store';
import type { Posting } from './postings';
import { GRANT_RANGE_END, GRANT_SEPARATOR } from './postings';

export interface NewTransaction {
  kind: TransactionKind;
  idempotencyKey: string;
  requestId: string | null;
  postings: Posting[];
  /** Why an operator recorded it (grants, refunds, adjustments). */
  reason?: string | null;
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
  reason: string | null;
  createdAt: Date;
}

/**
 * Multi-row inserts of transactions, then of the new ones' entries; the keys already recorded are
 * read back. Rows go in key order, so two replicas writing overlapping batches lock the keys in the
 * same order and never deadlock.
 */
const recordAll = async (trx: Transaction<DB>, transactions: NewTransaction[]): Promise<StoredTransaction[]> => {
  if (transactions.length === 0) return [];
  const sorted = [...transactions].sort(byKey);
  const inserted = await trx
    .insertInto('transactions')
    .values(
      sorted.map((transaction) => ({
        kind: transaction.kind,
        idempotency_key: transaction.idempotencyKey,
        request_id: transaction.requestId,
        reason: transaction.reason ?? null,
      })),
    )
    .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
    .returning(['id', 'idempotency_key', 'created_at', sql<string>`xid::text`.as('xid')])
    .execute();
  const stored = new Map<string, StoredTransaction>();
  const transactionOf = new Map(sorted.map((transaction) => [transaction.idempotencyKey, transaction]));
  for (const row of inserted) {
    const transaction = transactionOf.get(row.idempotency_key)!;
    stored.set(row.idempotency_key, {
      ...transaction,
      id: String(row.id),
      createdAt: row.created_at,
      xid: BigInt(row.xid),
      inserted: true,
    });
  }
  const entries = [...stored.values()].flatMap((transaction) =>
    transaction.postings.map((posting) => ({
      transaction_id: transaction.id,
      account: posting.account,
      amount: posting.amount.toString(),
    })),
  );
  if (entries.length > 0) await trx.insertInto('entries').values(entries).execute();
  const known = sorted.map((transaction) => transaction.idempotencyKey).filter((key) => !stored.has(key));
  for (const transaction of await storedBefore(trx, known)) stored.set(transaction.idempotencyKey, transaction);
  return transactions.map((transaction) => {
    const found = stored.get(transaction.idempotencyKey);
    if (!found) throw new Error(`ledger transaction ${transaction.idempotencyKey} neither inserted nor found`);
    return found;
  });
};

/** Transactions recorded earlier under these keys, with their entries. */
const storedBefore = async (trx: Transaction<DB>, keys: string[]): Promise<StoredTransaction[]> => {
  if (keys.length === 0) return [];
  const rows = await trx
    .selectFrom('transactions')
    .select(['id', 'kind', 'idempotency_key', 'request_id', 'reason', 'created_at', sql<string>`xid::text`.as('xid')])
    .where('idempotency_key', 'in', keys)
    .execute();
  if (rows.length === 0) return [];
  const entries = await trx
    .selectFrom('entries')
    .select(['transaction_id', 'account', 'amount'])
    .where(
      'transaction_id',
      'in',
      rows.map((row) => String(row.id)),
    )
    .orderBy('id')
    .execute();
  const postings = new Map<string, Posting[]>();
  for (const entry of entries) {
    const id = String(entry.transaction_id);
    postings.set(id, [...(postings.get(id) ?? []), { account: entry.account, amount: BigInt(entry.amount) }]);
  }
  return rows.map((row) => ({
    id: String(row.id),
    kind: row.kind,
    idempotencyKey: row.idempotency_key,
    requestId: row.request_id,
    reason: row.reason,
    postings: postings.get(String(row.id)) ?? [],
    createdAt: row.created_at,
    xid: BigInt(row.xid),
    inserted: false,
  }));
};

/** The transaction's snapshot: in repeatable read, the one every later query of it reads in. */
export const snapshotOf = async (trx: Transaction<DB>): Promise<LedgerSnapshot> => {
  const { rows } = await sql<{ snapshot: string }>`select pg_current_snapshot()::text as snapshot`.execute(trx);
  return parseSnapshot(rows[0].snapshot);
};

/** Writes to the ledger inside one Postgres transaction (see `LedgerRepository.writeBatch`). */
export interface LedgerBatch {
  /**
   * Inserts each transaction and its entries once per idempotency key, all in two statements;
   * answers them in the given order, the ones whose key was already recorded as stored before.
   */
  record(transactions: NewTransaction[]): Promise<StoredTransaction[]>;
  /** The batch's Postgres transaction, for the other writes of a settlement (budget spend). */
  readonly trx: Transaction<DB>;
}

/**
 * An account and its grant sub-accounts (`<account>/grant:…`), as a range the `(account, id)` index
 * serves (no LIKE: an account id may hold `_` or `%`).
 */
export const inFamily = (
  eb: ExpressionBuilder<DB, 'entries'>,
  account: string,
  column: 'account' | 'entries.account' = 'account',
) =>
  eb.or([
    eb(column, '=', account),
    eb.and([eb(column, '>=', `${account}${GRANT_SEPARATOR}`), eb(column, '<', `${account}${GRANT_RANGE_END}`)]),
  ]);

const byKey = (left: NewTransaction, right: NewTransaction) =>
  left.idempotencyKey < right.idempotencyKey ? -1 : left.idempotencyKey > right.idempotencyKey ? 1 : 0;

/** The ledger's I/O: idempotent inserts, account sums and entry reads. */
@Injectable()
export class LedgerRepository {
  constructor(@Inject(BILLING_DB) private readonly db: Kysely<DB>) {}

  /** Inserts the transaction and its entries once per idempotency key; otherwise returns the stored one. */
  async record(transaction: NewTransaction): Promise<StoredTransaction> {
    const [stored] = await this.writeBatch((batch) => batch.record([transaction]));
    return stored;
  }

  /** Runs `work` in one Postgres transaction: everything it records commits together, or nothing does. */
  writeBatch<T>(work: (batch: LedgerBatch) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .execute((trx) => work({ record: (transactions) => recordAll(trx, transactions), trx }));
  }

  /**
   * Every customer account's total (its grant sub-accounts included), except accounts starting with
   * `excludedPrefix`, with the snapshot they were read in (one repeatable-read transaction).
   */
  balances(excludedPrefix: string): Promise<AccountBalances> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const snapshot = await snapshotOf(trx);
        const owner = sql<string>`split_part(account, ${sql.lit(GRANT_SEPARATOR)}, 1)`;
        const rows = await trx
          .selectFrom('entries')
          .select((eb) => [owner.as('owner'), eb.fn.sum<Int8>('amount').as('balance')])
          .where('account', 'not like', `${excludedPrefix}%`)
          .groupBy(owner)
          .execute();
        return { snapshot, balances: rows.map((row) => ({ account: row.owner, balance: BigInt(row.balance) })) };
      });
  }

  /** Sum of one customer account's entries (its grant sub-accounts included), with the snapshot it was read in. */
  balanceOf(account: string): Promise<{ snapshot: LedgerSnapshot; balance: bigint }> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const snapshot = await snapshotOf(trx);
        const row = await trx
          .selectFrom('entries')
          .select((eb) => eb.fn.coalesce(eb.fn.sum<Int8>('amount'), sql<Int8>`0`).as('balance'))
          .where((eb) => inFamily(eb, account))
          .executeTakeFirstOrThrow();
        return { snapshot, balance: BigInt(row.balance) };
      });
  }

  /** An account's entries and its grant sub-accounts', newest first. */
  async entries(filter: {
    account: string;
    requestId?: string;
    kind?: LedgerRow['kind'];
    beforeId?: string;
    limit: number;
  }): Promise<LedgerRow[]> {
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
        'transactions.reason',
        'transactions.created_at',
      ])
      .where((eb) => inFamily(eb, filter.account, 'entries.account'));
    if (filter.requestId !== undefined) query = query.where('transactions.request_id', '=', filter.requestId);
    if (filter.kind !== undefined) query = query.where('transactions.kind', '=', filter.kind);
    if (filter.beforeId !== undefined) query = query.where('entries.id', '<', filter.beforeId);
    const rows = await query.orderBy('entries.id', 'desc').limit(filter.limit).execute();
    return rows.map((row) => ({
      id: String(row.id),
      transactionId: String(row.transaction_id),
      account: row.account,
      amount: BigInt(row.amount),
      kind: row.kind,
      requestId: row.request_id,
      reason: row.reason,
      createdAt: row.created_at,
    }));
  }
}
