import { Inject, Injectable } from '@nestjs/common';
import type { BudgetScope } from '@polymux/contracts';
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { sql } from 'kysely';

import { snapshotOf } from '../ledger/ledger.repository';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import type { BudgetsTable } from '../schema/tables/budgets.table';
import type { PlanChange } from '../plans/plan.repository';
import { readPlanChanges } from '../plans/plan.repository';
import type { LedgerSnapshot } from '../store/balance.store';

export type StoredBudget = Selectable<BudgetsTable>;

/**
 * An org's budgets and plan changes, and the revision they are at (0: the org never had either):
 * a change of either increments it, so the budget store's `stale` answer rereads both.
 */
export interface OrgBudgets {
  revision: number;
  budgets: StoredBudget[];
  plans: PlanChange[];
}

/** Spend to add to a budget's period in a settlement batch. */
export interface SpendRow {
  budgetId: string;
  periodStartMs: number;
  spent: bigint;
}

/** What hydrating an org's counters reads, all in one snapshot. */
export interface OrgHydration extends OrgBudgets {
  snapshot: LedgerSnapshot;
  /** Spend by `<budget id> <period start ms>` for the periods asked for. */
  spent: Map<string, bigint>;
}

export const spendKey = (budgetId: string, periodStartMs: number) => `${budgetId} ${periodStartMs}`;

/** Budgets' I/O: definitions, each org's revision, and spend per period. No rules here. */
@Injectable()
export class BudgetRepository {
  constructor(@Inject(BILLING_DB) private readonly db: Kysely<DB>) {}

  /** Runs `work` in one transaction that also increments the org's revision; answers both. */
  changeOrg<T>(orgId: string, work: (trx: Transaction<DB>) => Promise<T>): Promise<{ result: T; revision: number }> {
    return this.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      const { revision } = await trx
        .insertInto('budget_revisions')
        .values({ org_id: orgId, revision: '1' })
        .onConflict((conflict) =>
          conflict.column('org_id').doUpdateSet({ revision: sql`budget_revisions.revision + 1` }),
        )
        .returning('revision')
        .executeTakeFirstOrThrow();
      return { result, revision: Number(revision) };
    });
  }

  insert(trx: Transaction<DB>, values: Insertable<BudgetsTable>): Promise<StoredBudget> {
    return trx.insertInto('budgets').values(values).returningAll().executeTakeFirstOrThrow();
  }

  update(
    trx: Transaction<DB>,
    id: string,
    values: Pick<Updateable<BudgetsTable>, 'amount' | 'hard_limit' | 'thresholds'>,
  ): Promise<StoredBudget | undefined> {
    return trx
      .updateTable('budgets')
      .set({ ...values, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  delete(trx: Transaction<DB>, id: string): Promise<StoredBudget | undefined> {
    return trx.deleteFrom('budgets').where('id', '=', id).returningAll().executeTakeFirst();
  }

  find(id: string): Promise<StoredBudget | undefined> {
    return this.db.selectFrom('budgets').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(filter: { orgId: string; scope?: BudgetScope; scopeId?: string }): Promise<StoredBudget[]> {
    let query = this.db.selectFrom('budgets').selectAll().where('org_id', '=', filter.orgId);
    if (filter.scope !== undefined) query = query.where('scope', '=', filter.scope);
    if (filter.scopeId !== undefined) query = query.where('scope_id', '=', filter.scopeId);
    return query.orderBy('created_at').orderBy('id').execute();
  }

  /** Every org's budgets and revision: what a replica starts with. */
  async all(): Promise<Map<string, OrgBudgets>> {
    const [revisions, budgets, plans] = await Promise.all([
      this.db.selectFrom('budget_revisions').selectAll().execute(),
      this.db.selectFrom('budgets').selectAll().orderBy('created_at').orderBy('id').execute(),
      readPlanChanges(this.db),
    ]);
    const orgs = new Map(
      revisions.map((row) => [
        row.org_id,
        { revision: Number(row.revision), budgets: [] as StoredBudget[], plans: plans.get(row.org_id) ?? [] },
      ]),
    );
    for (const budget of budgets) orgs.get(budget.org_id)?.budgets.push(budget);
    return orgs;
  }

  /** The budgets and revisions of these orgs, in a transaction of the caller's (a settlement batch's). */
  async ofOrgsIn(trx: Transaction<DB>, orgIds: readonly string[]): Promise<Map<string, OrgBudgets>> {
    const orgs = new Map(
      orgIds.map((orgId) => [orgId, { revision: 0, budgets: [] as StoredBudget[], plans: [] as PlanChange[] }]),
    );
    if (orgIds.length === 0) return orgs;
    const [revisions, budgets, plans] = await Promise.all([
      trx.selectFrom('budget_revisions').selectAll().where('org_id', 'in', orgIds).execute(),
      trx.selectFrom('budgets').selectAll().where('org_id', 'in', orgIds).orderBy('created_at').orderBy('id').execute(),
      readPlanChanges(trx, orgIds),
    ]);
    for (const row of revisions) orgs.get(row.org_id)!.revision = Number(row.revision);
    for (const [orgId, changes] of plans) orgs.get(orgId)!.plans = changes;
    for (const budget of budgets) orgs.get(budget.org_id)!.budgets.push(budget);
    return orgs;
  }

  /** One org's budgets and revision, read together. */
  async ofOrg(orgId: string): Promise<OrgBudgets> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((trx) => readOrg(trx, orgId));
  }

  /**
   * An org's budgets, revision and the spend of the periods `periodsOf` names for them, with the
   * snapshot it was all read in (one repeatable-read transaction), for hydrating lost counters.
   */
  hydrationOf(
    orgId: string,
    periodsOf: (budgets: StoredBudget[]) => Array<{ budgetId: string; periodStartMs: number }>,
  ): Promise<OrgHydration> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const snapshot = await snapshotOf(trx);
        const org = await readOrg(trx, orgId);
        const periods = periodsOf(org.budgets);
        const spent = new Map<string, bigint>();
        if (periods.length > 0) {
          const rows = await trx
            .selectFrom('budget_spend')
            .select(['budget_id', 'period_start_ms', 'spent'])
            .where((eb) =>
              eb.or(
                periods.map((period) =>
                  eb.and([
                    eb('budget_id', '=', period.budgetId),
                    eb('period_start_ms', '=', String(period.periodStartMs)),
                  ]),
                ),
              ),
            )
            .execute();
          for (const row of rows) spent.set(spendKey(row.budget_id, Number(row.period_start_ms)), BigInt(row.spent));
        }
        return { ...org, snapshot, spent };
      });
  }

  /**
   * Adds spend to budgets' periods inside a settlement batch's transaction: one multi-row upsert,
   * rows in key order so two replicas' batches lock them in the same order and never deadlock.
   */
  async addSpend(trx: Transaction<DB>, rows: SpendRow[]): Promise<void> {
    if (rows.length === 0) return;
    const sorted = [...rows].sort((a, b) =>
      a.budgetId < b.budgetId ? -1 : a.budgetId > b.budgetId ? 1 : a.periodStartMs - b.periodStartMs,
    );
    await trx
      .insertInto('budget_spend')
      .values(
        sorted.map((row) => ({
          budget_id: row.budgetId,
          period_start_ms: String(row.periodStartMs),
          spent: row.spent.toString(),
        })),
      )
      .onConflict((conflict) =>
        conflict
          .columns(['budget_id', 'period_start_ms'])
          .doUpdateSet({ spent: sql`budget_spend.spent + excluded.spent` }),
      )
      .execute();
  }
}

const readOrg = async (trx: Transaction<DB>, orgId: string): Promise<OrgBudgets> => {
  const revision = await trx
    .selectFrom('budget_revisions')
    .select('revision')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  const budgets = await trx
    .selectFrom('budgets')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const plans = await readPlanChanges(trx, [orgId]);
  return { revision: revision ? Number(revision.revision) : 0, budgets, plans: plans.get(orgId) ?? [] };
};
