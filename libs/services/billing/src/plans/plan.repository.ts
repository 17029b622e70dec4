import { Inject, Injectable } from '@nestjs/common';
import type { PlanSpec } from '@polymux/contracts';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { sql } from 'kysely';

import { snapshotOf } from '../ledger/ledger.repository';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import type { OrgPlansTable } from '../schema/tables/plans.table';
import type { LedgerSnapshot } from '../store/balance.store';
import type { Price } from './plan-pricing';
import type { PlanChangeRef } from './plan-pricing';

export type StoredPlanChange = Selectable<OrgPlansTable>;

/** A plan change as resolution and the admin API read it. */
export interface PlanChange extends PlanChangeRef {
  orgId: string;
  changedBy: string | null;
  previous: PlanSpec;
  createdAt: Date;
}

export const toPlanChange = (row: StoredPlanChange): PlanChange => ({
  id: row.id,
  orgId: row.org_id,
  spec: { plan: row.plan, settings: row.settings } as PlanSpec,
  effectiveFromMs: row.effective_from.getTime(),
  createdAtMs: row.created_at.getTime(),
  createdAt: row.created_at,
  changedBy: row.changed_by,
  previous: row.previous as PlanSpec,
});

/** The plan changes of these orgs (all orgs when `orgIds` is absent), grouped by org. */
export const readPlanChanges = async (
  db: Kysely<DB> | Transaction<DB>,
  orgIds?: readonly string[],
): Promise<Map<string, PlanChange[]>> => {
  const byOrg = new Map<string, PlanChange[]>();
  if (orgIds?.length === 0) return byOrg;
  let query = db.selectFrom('org_plans').selectAll();
  if (orgIds) query = query.where('org_id', 'in', orgIds);
  for (const row of await query.orderBy('effective_from').orderBy('created_at').execute()) {
    byOrg.set(row.org_id, [...(byOrg.get(row.org_id) ?? []), toPlanChange(row)]);
  }
  return byOrg;
};

/** A plan counter's addition in a settlement batch. */
export interface UsageRow {
  orgId: string;
  counter: 'quota' | 'list';
  periodStartMs: number;
  used: bigint;
}

export interface StoredPrice extends Price {
  requestId: string;
}

/** Plans' I/O: changes, counters per period, and each call's price. No rules here. */
@Injectable()
export class PlanRepository {
  constructor(@Inject(BILLING_DB) private readonly db: Kysely<DB>) {}

  insertChange(trx: Transaction<DB>, values: Insertable<OrgPlansTable>): Promise<StoredPlanChange> {
    return trx.insertInto('org_plans').values(values).returningAll().executeTakeFirstOrThrow();
  }

  changesOf(orgId: string, trx?: Transaction<DB>): Promise<PlanChange[]> {
    return readPlanChanges(trx ?? this.db, [orgId]).then((byOrg) => byOrg.get(orgId) ?? []);
  }

  /** Prices recorded earlier for these requests. */
  async pricesOf(trx: Transaction<DB>, requestIds: readonly string[]): Promise<Map<string, StoredPrice>> {
    if (requestIds.length === 0) return new Map();
    const rows = await trx
      .selectFrom('plan_charges')
      .select(['request_id', 'list_cost', 'discount', 'charged'])
      .where('request_id', 'in', requestIds)
      .execute();
    return new Map(
      rows.map((row) => [
        row.request_id,
        {
          requestId: row.request_id,
          listCost: BigInt(row.list_cost),
          discount: BigInt(row.discount),
          charged: BigInt(row.charged),
        },
      ]),
    );
  }

  /** Records prices once per request; answers the request ids this call inserted. */
  async insertPrices(
    trx: Transaction<DB>,
    rows: Array<StoredPrice & { orgId: string; changeId: string | null }>,
  ): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted = await trx
      .insertInto('plan_charges')
      .values(
        [...rows]
          .sort((a, b) => (a.requestId < b.requestId ? -1 : 1))
          .map((row) => ({
            request_id: row.requestId,
            org_id: row.orgId,
            change_id: row.changeId,
            list_cost: row.listCost.toString(),
            discount: row.discount.toString(),
            charged: row.charged.toString(),
          })),
      )
      .onConflict((conflict) => conflict.column('request_id').doNothing())
      .returning('request_id')
      .execute();
    return new Set(inserted.map((row) => row.request_id));
  }

  /**
   * A counter's value, its row locked to the end of the batch's transaction (created at zero), so
   * batches of two replicas price one org's month one after the other.
   */
  async lockCounter(trx: Transaction<DB>, key: Omit<UsageRow, 'used'>): Promise<bigint> {
    const row = await trx
      .insertInto('plan_usage')
      .values({ org_id: key.orgId, counter: key.counter, period_start_ms: String(key.periodStartMs), used: '0' })
      .onConflict((conflict) =>
        conflict.columns(['org_id', 'counter', 'period_start_ms']).doUpdateSet({ used: sql`plan_usage.used` }),
      )
      .returning('used')
      .executeTakeFirstOrThrow();
    return BigInt(row.used);
  }

  /**
   * Adds to counters in one upsert, rows of one counter summed first (an upsert may touch a row
   * once) and in key order (no deadlock between replicas' batches).
   */
  async addUsage(trx: Transaction<DB>, rows: UsageRow[]): Promise<void> {
    const key = (row: UsageRow) =>
      `${row.orgId}\u0000${row.counter}\u0000${String(row.periodStartMs).padStart(16, '0')}`;
    const summed = new Map<string, UsageRow>();
    for (const row of rows) {
      const known = summed.get(key(row));
      summed.set(key(row), known ? { ...known, used: known.used + row.used } : row);
    }
    const nonZero = [...summed.values()].filter((row) => row.used !== 0n);
    if (nonZero.length === 0) return;
    await trx
      .insertInto('plan_usage')
      .values(
        nonZero
          .sort((a, b) => (key(a) < key(b) ? -1 : 1))
          .map((row) => ({
            org_id: row.orgId,
            counter: row.counter,
            period_start_ms: String(row.periodStartMs),
            used: row.used.toString(),
          })),
      )
      .onConflict((conflict) =>
        conflict
          .columns(['org_id', 'counter', 'period_start_ms'])
          .doUpdateSet({ used: sql`plan_usage.used + excluded.used` }),
      )
      .execute();
  }

  /** An org's quota use in one period, its budget revision and the snapshot they were read in, for hydrating lost counters. */
  quotaHydration(
    orgId: string,
    periodStartMs: number,
  ): Promise<{ revision: number; used: bigint; snapshot: LedgerSnapshot }> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const snapshot = await snapshotOf(trx);
        const [revision, usage] = await Promise.all([
          trx.selectFrom('budget_revisions').select('revision').where('org_id', '=', orgId).executeTakeFirst(),
          trx
            .selectFrom('plan_usage')
            .select('used')
            .where('org_id', '=', orgId)
            .where('counter', '=', 'quota')
            .where('period_start_ms', '=', String(periodStartMs))
            .executeTakeFirst(),
        ]);
        return {
          revision: revision ? Number(revision.revision) : 0,
          used: usage ? BigInt(usage.used) : 0n,
          snapshot,
        };
      });
  }
}
