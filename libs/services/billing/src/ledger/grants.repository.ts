import { Inject, Injectable } from '@nestjs/common';
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';

import type { Int8 } from '../schema/columns';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import { inFamily } from './ledger.repository';
import type { GrantBalance } from './postings';
import { ledgerKeys } from './postings';

export interface GrantRow {
  id: string;
  account: string;
  subAccount: string;
  expiresAt: Date | null;
}

const expiryKeyOf = sql<string>`${ledgerKeys.grantExpiry('')} || grants.id`;

/** Sums of the given accounts' entries, by account. */
const sums = async (trx: Transaction<DB>, accounts: string[]): Promise<Map<string, bigint>> => {
  if (accounts.length === 0) return new Map();
  const rows = await trx
    .selectFrom('entries')
    .select((eb) => ['account', eb.fn.sum<Int8>('amount').as('balance')])
    .where('account', 'in', accounts)
    .groupBy('account')
    .execute();
  return new Map(rows.map((row) => [row.account, BigInt(row.balance)]));
};

/** Grants and what the ledger says of them: open ones locked for a debit, due ones, charges to refund. */
@Injectable()
export class GrantsRepository {
  constructor(@Inject(BILLING_DB) private readonly db: Kysely<DB>) {}

  insert(trx: Transaction<DB>, grant: GrantRow, transactionId: string): Promise<unknown> {
    return trx
      .insertInto('grants')
      .values({
        id: grant.id,
        account: grant.account,
        sub_account: grant.subAccount,
        transaction_id: transactionId,
        expires_at: grant.expiresAt,
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
  }

  async find(id: string): Promise<GrantRow | undefined> {
    const row = await this.db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, account: row.account, subAccount: row.sub_account, expiresAt: row.expires_at };
  }

  /**
   * Locks the grants of these accounts that have not expired yet (in id order, so concurrent
   * debits never deadlock) and answers what each still holds: read after the lock, so no other
   * debit or expiry of them can interleave until `trx` ends.
   */
  async lockOpen(trx: Transaction<DB>, accounts: string[]): Promise<Map<string, GrantBalance[]>> {
    const open = new Map<string, GrantBalance[]>();
    if (accounts.length === 0) return open;
    const grants = await trx
      .selectFrom('grants')
      .select(['account', 'sub_account', 'expires_at'])
      .where('account', 'in', accounts)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('transactions').select('id').where('idempotency_key', '=', expiryKeyOf))),
      )
      .orderBy('id')
      .forUpdate()
      .execute();
    const remaining = await sums(
      trx,
      grants.map((grant) => grant.sub_account),
    );
    for (const grant of grants) {
      const balance = {
        account: grant.sub_account,
        remaining: remaining.get(grant.sub_account) ?? 0n,
        expiresAt: grant.expires_at,
      };
      open.set(grant.account, [...(open.get(grant.account) ?? []), balance]);
    }
    return open;
  }

  /** Locks one grant and answers what it still holds. */
  async lockRemaining(trx: Transaction<DB>, grant: GrantRow): Promise<bigint> {
    await trx.selectFrom('grants').select('id').where('id', '=', grant.id).forUpdate().executeTakeFirstOrThrow();
    return (await sums(trx, [grant.subAccount])).get(grant.subAccount) ?? 0n;
  }

  /** What a grant holds now, unlocked: an estimate for its expiry's hold. */
  async remaining(grant: GrantRow): Promise<bigint> {
    const row = await this.db
      .selectFrom('entries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<Int8>('amount'), sql<Int8>`0`).as('balance'))
      .where('account', '=', grant.subAccount)
      .executeTakeFirstOrThrow();
    return BigInt(row.balance);
  }

  /**
   * Grants expired by `now` (and since `expiredSince`): first those whose expiry is not recorded
   * yet, then those recorded since `recordedSince` (their expiry may still have to reach the store).
   */
  async due(now: Date, expiredSince: Date, recordedSince: Date, limit: number): Promise<GrantRow[]> {
    const rows = await this.db
      .selectFrom('grants')
      .leftJoin('transactions', (join) => join.on('transactions.idempotency_key', '=', expiryKeyOf))
      .select(['grants.id', 'grants.account', 'grants.sub_account', 'grants.expires_at'])
      .where('grants.expires_at', '<=', now)
      .where('grants.expires_at', '>', expiredSince)
      .where((eb) => eb.or([eb('transactions.id', 'is', null), eb('transactions.created_at', '>', recordedSince)]))
      .orderBy(sql`transactions.id is not null`)
      .orderBy('grants.expires_at')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      account: row.account,
      subAccount: row.sub_account,
      expiresAt: row.expires_at,
    }));
  }

  /**
   * Locks a request's charge and answers what the request cost the account (charge and overrun)
   * and what refunds other than `exceptKey` gave back; null when the request has no charge.
   */
  async lockCharged(
    trx: Transaction<DB>,
    account: string,
    requestId: string,
    exceptKey: string,
  ): Promise<{ charged: bigint; refunded: bigint } | null> {
    const charge = await trx
      .selectFrom('transactions')
      .select('id')
      .where('idempotency_key', '=', ledgerKeys.charge(requestId))
      .forUpdate()
      .executeTakeFirst();
    if (!charge) return null;
    const rows = await trx
      .selectFrom('entries')
      .innerJoin('transactions', 'transactions.id', 'entries.transaction_id')
      .select((eb) => ['transactions.kind', eb.fn.sum<Int8>('entries.amount').as('amount')])
      .where('transactions.request_id', '=', requestId)
      .where('transactions.kind', 'in', ['charge', 'overrun', 'refund'])
      .where('transactions.idempotency_key', '<>', exceptKey)
      .where((eb) => inFamily(eb, account, 'entries.account'))
      .groupBy('transactions.kind')
      .execute();
    const sum = (kinds: string[]) =>
      rows.filter((row) => kinds.includes(row.kind)).reduce((total, row) => total + BigInt(row.amount), 0n);
    return { charged: -sum(['charge', 'overrun']), refunded: sum(['refund']) };
  }
}
