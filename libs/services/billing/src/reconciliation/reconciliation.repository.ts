import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import type { Int8 } from '../schema/columns';
import type { DB } from '../schema/db';
import { GRANT_SEPARATOR, SYSTEM_ACCOUNT_PREFIX, ledgerKeys } from '../ledger/postings';

const owner = sql<string>`split_part(entries.account, ${sql.lit(GRANT_SEPARATOR)}, 1)`;
const customer = sql<boolean>`entries.account not like ${sql.lit(`${SYSTEM_ACCOUNT_PREFIX}%`)}`;

/** Read-only queries of the ledger's invariants: each answers the rows that break one. */
export class ReconciliationRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Transactions whose entries do not sum to zero, or that have none. */
  async unbalanced(): Promise<Array<{ transactionId: string; sum: bigint }>> {
    const rows = await this.db
      .selectFrom('transactions')
      .leftJoin('entries', 'entries.transaction_id', 'transactions.id')
      .select((eb) => [
        'transactions.id',
        eb.fn.coalesce(eb.fn.sum<Int8>('entries.amount'), sql<Int8>`0`).as('sum'),
        eb.fn.count<Int8>('entries.id').as('entries'),
      ])
      .groupBy('transactions.id')
      .having((eb) =>
        eb.or([
          eb(eb.fn.coalesce(eb.fn.sum<Int8>('entries.amount'), sql<Int8>`0`), '<>', 0),
          eb(eb.fn.count('entries.id'), '=', 0),
        ]),
      )
      .execute();
    return rows.map((row) => ({ transactionId: String(row.id), sum: BigInt(row.sum) }));
  }

  /** Every customer account's total (grants included) and what its recorded overruns charged. */
  async customerTotals(): Promise<Array<{ account: string; total: bigint; overrun: bigint }>> {
    const rows = await this.db
      .selectFrom('entries')
      .innerJoin('transactions', 'transactions.id', 'entries.transaction_id')
      .select((eb) => [
        owner.as('owner'),
        eb.fn.sum<Int8>('entries.amount').as('total'),
        eb.fn
          .coalesce(
            eb.fn.sum<Int8>(sql`case when transactions.kind = 'overrun' then -entries.amount else 0 end`),
            sql<Int8>`0`,
          )
          .as('overrun'),
      ])
      .where(customer)
      .groupBy(owner)
      .execute();
    return rows.map((row) => ({ account: row.owner, total: BigInt(row.total), overrun: BigInt(row.overrun) }));
  }

  /** Grant sub-accounts below zero, and expired grants still holding credit. */
  async badGrants(): Promise<Array<{ account: string; remaining: bigint; expired: boolean }>> {
    const rows = await this.db
      .selectFrom('grants')
      .leftJoin('entries', 'entries.account', 'grants.sub_account')
      .select((eb) => [
        'grants.sub_account',
        eb.fn.coalesce(eb.fn.sum<Int8>('entries.amount'), sql<Int8>`0`).as('remaining'),
        sql<boolean>`exists (select 1 from billing.transactions t where t.idempotency_key = ${ledgerKeys.grantExpiry('')} || grants.id)`.as(
          'expired',
        ),
      ])
      .groupBy(['grants.id', 'grants.sub_account'])
      .execute();
    return rows
      .map((row) => ({ account: row.sub_account, remaining: BigInt(row.remaining), expired: Boolean(row.expired) }))
      .filter((row) => row.remaining < 0n || (row.expired && row.remaining !== 0n));
  }

  /** Request ids with more than one charge or overrun, an overrun without a charge, or refunds above the charge. */
  async requestAnomalies(): Promise<
    Array<{ requestId: string; charges: number; overruns: number; charged: bigint; refunded: bigint }>
  > {
    const rows = await this.db
      .selectFrom('transactions')
      .innerJoin('entries', 'entries.transaction_id', 'transactions.id')
      .select((eb) => [
        'transactions.request_id',
        sql<Int8>`count(distinct case when transactions.kind = 'charge' then transactions.id end)`.as('charges'),
        sql<Int8>`count(distinct case when transactions.kind = 'overrun' then transactions.id end)`.as('overruns'),
        eb.fn
          .coalesce(
            eb.fn.sum<Int8>(
              sql`case when transactions.kind in ('charge', 'overrun') and ${customer} then -entries.amount else 0 end`,
            ),
            sql<Int8>`0`,
          )
          .as('charged'),
        eb.fn
          .coalesce(
            eb.fn.sum<Int8>(sql`case when transactions.kind = 'refund' and ${customer} then entries.amount else 0 end`),
            sql<Int8>`0`,
          )
          .as('refunded'),
      ])
      .where('transactions.request_id', 'is not', null)
      .where('transactions.kind', 'in', ['charge', 'overrun', 'refund'])
      .groupBy('transactions.request_id')
      .execute();
    return rows
      .map((row) => ({
        requestId: row.request_id!,
        charges: Number(row.charges),
        overruns: Number(row.overruns),
        charged: BigInt(row.charged),
        refunded: BigInt(row.refunded),
      }))
      .filter((row) => row.charges !== 1 || row.overruns > 1 || row.refunded > row.charged);
  }

  /** Each of these requests' charges, and what they (charge and overrun) took from the account's total. */
  async chargesOf(requestIds: string[]): Promise<Map<string, { charges: number; accounts: Map<string, bigint> }>> {
    const found = new Map<string, { charges: number; accounts: Map<string, bigint> }>();
    for (let start = 0; start < requestIds.length; start += 1000) {
      const rows = await this.db
        .selectFrom('transactions')
        .innerJoin('entries', 'entries.transaction_id', 'transactions.id')
        .select((eb) => [
          'transactions.request_id',
          owner.as('owner'),
          sql<Int8>`count(distinct case when transactions.kind = 'charge' then transactions.id end)`.as('charges'),
          eb.fn.sum<Int8>('entries.amount').as('amount'),
        ])
        .where('transactions.request_id', 'in', requestIds.slice(start, start + 1000))
        .where('transactions.kind', 'in', ['charge', 'overrun'])
        .where(customer)
        .groupBy(['transactions.request_id', owner])
        .execute();
      for (const row of rows) {
        const entry = found.get(row.request_id!) ?? { charges: 0, accounts: new Map<string, bigint>() };
        entry.charges += Number(row.charges);
        entry.accounts.set(row.owner, -BigInt(row.amount));
        found.set(row.request_id!, entry);
      }
    }
    return found;
  }

  /**
   * Each account's floor, for accounts of orgs that had an invoiced plan: minus the largest credit
   * limit of the org's plan changes in force by now (a limit lowered later does not make the debt
   * its predecessor allowed a breach). An account's org is the one its usage rows name.
   */
  async floors(): Promise<Map<string, bigint>> {
    const { rows } = await sql<{ account: string; credit_limit: string }>`
      select accounts.account_id as account, max((plans.settings ->> 'creditLimit')::numeric)::text as credit_limit
      from (select distinct account_id, org_id from billing.usage) accounts
      join billing.org_plans plans on plans.org_id = accounts.org_id
      where plans.plan = 'enterprise' and plans.settings ->> 'creditLimit' is not null and plans.effective_from <= now()
      group by accounts.account_id`.execute(this.db);
    return new Map(rows.map((row) => [row.account, -BigInt(row.credit_limit)]));
  }

  /**
   * Usage rows without exactly one charge for their request id, or whose account's side of the
   * charge and overrun (grants included) differs from the row's `charged`: the first `limit` of
   * them, and how many there are. `accounts` restricts the rows to those accounts'.
   */
  async usageMismatches(
    limit: number,
    accounts?: readonly string[],
  ): Promise<{
    total: number;
    rows: Array<{ requestId: string; account: string; charged: bigint; charges: number; taken: bigint }>;
  }> {
    const only = accounts ? sql`and usage.account_id in (${sql.join([...accounts, ''])})` : sql``;
    const { rows } = await sql<{
      request_id: string;
      account_id: string;
      charged: string;
      charges: string;
      taken: string;
      total: string;
    }>`
      select *, count(*) over () as total from (
        select usage.request_id, usage.account_id, usage.charged::text as charged,
          (select count(*) from billing.transactions t
            where t.request_id = usage.request_id and t.kind = 'charge') as charges,
          (select coalesce(-sum(e.amount), 0)::text from billing.transactions t
            join billing.entries e on e.transaction_id = t.id
            where t.request_id = usage.request_id and t.kind in ('charge', 'overrun')
              and split_part(e.account, ${GRANT_SEPARATOR}, 1) = usage.account_id) as taken
        from billing.usage usage
        where true ${only}
      ) checked
      where charges <> 1 or taken::numeric <> charged::numeric
      order by request_id
      limit ${limit}`.execute(this.db);
    return {
      total: Number(rows[0]?.total ?? 0),
      rows: rows.map((row) => ({
        requestId: row.request_id,
        account: row.account_id,
        charged: BigInt(row.charged),
        charges: Number(row.charges),
        taken: BigInt(row.taken),
      })),
    };
  }

  /** Charges with no usage row for their request id: the first `limit`, and how many. `accounts`: charges on those. */
  async chargesWithoutUsage(
    limit: number,
    accounts?: readonly string[],
  ): Promise<{ total: number; rows: Array<{ requestId: string; transactionId: string }> }> {
    const only = accounts
      ? sql`and exists (select 1 from billing.entries e where e.transaction_id = t.id
          and split_part(e.account, ${GRANT_SEPARATOR}, 1) in (${sql.join([...accounts, ''])}))`
      : sql``;
    const { rows } = await sql<{ request_id: string | null; id: string; total: string }>`
      select t.request_id, t.id::text as id, count(*) over () as total
      from billing.transactions t
      where t.kind = 'charge'
        and not exists (select 1 from billing.usage u where u.request_id = t.request_id)
        ${only}
      order by t.id
      limit ${limit}`.execute(this.db);
    return {
      total: Number(rows[0]?.total ?? 0),
      rows: rows.map((row) => ({ requestId: row.request_id ?? '(none)', transactionId: row.id })),
    };
  }
}
