import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import { inFamily } from '../ledger/ledger.repository';
import { DISCOUNTS_ACCOUNT, GRANT_SEPARATOR } from '../ledger/postings';
import type { Int8 } from '../schema/columns';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import type { TransactionKind } from '../schema/tables/transactions.table';

/** What one kind of transaction moved on one customer account (its grant sub-accounts included). */
export interface KindSums {
  account: string;
  kind: TransactionKind;
  /** Before the period: part of the opening balance. */
  before: bigint;
  /** In the period. */
  during: bigint;
  /** What the plan's discounts funded of the period's charges (system:discounts' side, positive). */
  discount: bigint;
}

/** The period's sums and each account's balance at its end, all read in one snapshot. */
export interface StatementSums {
  kinds: KindSums[];
  /** Every entry of the account before `to`, summed on its own: the ledger's closing balance. */
  closing: Map<string, bigint>;
}

/** An ISO instant as a timestamptz parameter (text: a Date from another realm does not serialise in PGlite). */
const instant = (iso: string) => sql<Date>`${new Date(iso).toISOString()}::timestamptz`;

/** An account's owner: itself, or a grant sub-account's customer account. */
const owner = sql<string>`split_part(entries.account, ${sql.lit(GRANT_SEPARATOR)}, 1)`;

/**
 * Statement sums, aggregated in Postgres: each account's entries found through the
 * `(account, id)` index (the account and its grant range), summed per transaction, then per kind
 * before and in the period; a charge's discount is the `system:discounts` entry of that same
 * transaction (found by `entries(transaction_id)`). One repeatable-read transaction: the opening,
 * the movements and the closing balance are of the same ledger.
 */
@Injectable()
export class StatementRepository {
  constructor(@Inject(BILLING_DB) private readonly db: Kysely<DB>) {}

  sums(accounts: string[], from: string, to: string): Promise<StatementSums> {
    if (accounts.length === 0) return Promise.resolve({ kinds: [], closing: new Map() });
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const ofAccounts = trx
          .selectFrom('entries')
          .where((eb) => eb.or(accounts.map((account) => inFamily(eb, account, 'entries.account'))));
        const kinds = await trx
          .with('moved', () =>
            ofAccounts
              .select((eb) => [owner.as('account'), 'entries.transaction_id', eb.fn.sum<Int8>('amount').as('amount')])
              .groupBy([owner, 'entries.transaction_id']),
          )
          .selectFrom('moved')
          .innerJoin('transactions', 'transactions.id', 'moved.transaction_id')
          .leftJoin('entries as discount', (join) =>
            join
              .onRef('discount.transaction_id', '=', 'moved.transaction_id')
              .on('discount.account', '=', DISCOUNTS_ACCOUNT)
              .on('transactions.kind', '=', 'charge'),
          )
          .where('transactions.created_at', '<', instant(to))
          .select([
            'moved.account',
            'transactions.kind',
            sql<string>`coalesce(sum(moved.amount) filter (where transactions.created_at < ${instant(from)}), 0)::text`.as(
              'before',
            ),
            sql<string>`coalesce(sum(moved.amount) filter (where transactions.created_at >= ${instant(from)}), 0)::text`.as(
              'during',
            ),
            sql<string>`coalesce(-sum(discount.amount) filter (where transactions.created_at >= ${instant(from)}), 0)::text`.as(
              'discount',
            ),
          ])
          .groupBy(['moved.account', 'transactions.kind'])
          .execute();
        const closing = await ofAccounts
          .innerJoin('transactions', 'transactions.id', 'entries.transaction_id')
          .where('transactions.created_at', '<', instant(to))
          .select((eb) => [owner.as('account'), eb.fn.sum<Int8>('entries.amount').as('balance')])
          .groupBy(owner)
          .execute();
        return {
          kinds: kinds.map((row) => ({
            account: row.account,
            kind: row.kind,
            before: BigInt(row.before),
            during: BigInt(row.during),
            discount: BigInt(row.discount),
          })),
          closing: new Map(closing.map((row) => [row.account, BigInt(row.balance)])),
        };
      });
  }
}
