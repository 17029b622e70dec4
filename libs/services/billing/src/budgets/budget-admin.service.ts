import { Injectable } from '@nestjs/common';
import type { Budget, BudgetQuery, RequestOf, Subjects } from '@polymux/contracts';
import { ErrorCode, PolymuxException, canonicalTimeZone } from '@polymux/contracts';

import type { CounterState } from '../store/budget.store';
import { applicableTo, BudgetDefinitions } from './budget-definitions';
import type { StoredBudget } from './budget.repository';
import { BudgetRepository } from './budget.repository';
import { BudgetsService } from './budgets.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is a Postgres unique violation (a second budget for one scope and period). */
const isDuplicate = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';

const positive = (value: string, param: string): string => {
  if (BigInt(value) <= 0n) throw new PolymuxException(ErrorCode.InvalidRequest, `${param} must be positive`, { param });
  return value;
};

/** A hard limit of zero refuses every call of the scope. */
const limit = (value: string | null): string | null => {
  if (value !== null && BigInt(value) < 0n)
    throw new PolymuxException(ErrorCode.InvalidRequest, 'hardLimit must be zero or more', { param: 'hardLimit' });
  return value;
};

/** A stored budget with its counters in the current period (which ends at `endMs`), as the contract answers it. */
const budgetView = (budget: StoredBudget, counter: CounterState, endMs: number): Budget => ({
  id: budget.id,
  orgId: budget.org_id,
  scope: budget.scope,
  scopeId: budget.scope_id,
  period: budget.period,
  timezone: budget.timezone,
  amount: String(budget.amount),
  hardLimit: budget.hard_limit === null ? null : String(budget.hard_limit),
  thresholds: budget.thresholds,
  createdAt: budget.created_at.toISOString(),
  updatedAt: budget.updated_at.toISOString(),
  state: {
    periodStart: new Date(counter.periodStartMs).toISOString(),
    periodEnd: new Date(endMs).toISOString(),
    spent: counter.spent.toString(),
    held: counter.held.toString(),
    alertedPercent: counter.alertedPercent,
  },
});

/**
 * Budgets' definitions as billing owns them (control's admin API validates the scopes and forwards
 * here): stored in Postgres with the org's revision incremented in the same transaction, then this
 * replica's definitions and the budget store are told, so every replica enforces the change from
 * its next reservation of the org on.
 */
@Injectable()
export class BudgetAdmin {
  constructor(
    private readonly repository: BudgetRepository,
    private readonly definitions: BudgetDefinitions,
    private readonly budgets: BudgetsService,
  ) {}

  async create(spec: RequestOf<typeof Subjects.createBudget>): Promise<Budget> {
    const values = {
      org_id: spec.orgId,
      scope: spec.scope,
      scope_id: spec.scopeId,
      period: spec.period,
      timezone: canonicalTimeZone(spec.timezone) ?? spec.timezone,
      amount: positive(spec.amount, 'amount'),
      hard_limit: limit(spec.hardLimit),
      thresholds: [...spec.thresholds].sort((a, b) => a - b),
    };
    let stored;
    try {
      stored = await this.repository.changeOrg(spec.orgId, (trx) => this.repository.insert(trx, values));
    } catch (error) {
      if (!isDuplicate(error)) throw error;
      throw new PolymuxException(
        ErrorCode.Conflict,
        `${spec.scope} ${spec.scopeId} already has a ${spec.period} budget: change or delete that one`,
        { param: 'period' },
      );
    }
    return this.applied(stored.result, stored.revision);
  }

  async update({ budgetId, changes }: RequestOf<typeof Subjects.updateBudget>): Promise<Budget> {
    const budget = await this.require(budgetId);
    const stored = await this.repository.changeOrg(budget.org_id, (trx) =>
      this.repository.update(trx, budget.id, {
        ...(changes.amount === undefined ? {} : { amount: positive(changes.amount, 'amount') }),
        ...(changes.hardLimit === undefined ? {} : { hard_limit: limit(changes.hardLimit) }),
        ...(changes.thresholds === undefined ? {} : { thresholds: [...changes.thresholds].sort((a, b) => a - b) }),
      }),
    );
    if (!stored.result) throw this.missing(budgetId);
    return this.applied(stored.result, stored.revision);
  }

  async delete({ budgetId }: RequestOf<typeof Subjects.deleteBudget>): Promise<Budget> {
    const budget = await this.require(budgetId);
    const [counter] = await this.budgets.state(budget.org_id, [budget]);
    const stored = await this.repository.changeOrg(budget.org_id, (trx) => this.repository.delete(trx, budget.id));
    if (!stored.result) throw this.missing(budgetId);
    await this.tell(budget.org_id, stored.revision);
    return this.view(stored.result, counter!);
  }

  async query(query: BudgetQuery): Promise<Budget[]> {
    if ('budgetId' in query) return this.withState([await this.require(query.budgetId)]);
    if ('call' in query) return this.withState(applicableTo(this.definitions.of(query.call.orgId).budgets, query.call));
    return this.withState(await this.repository.list(query));
  }

  private async applied(budget: StoredBudget, revision: number): Promise<Budget> {
    await this.tell(budget.org_id, revision);
    const [counter] = await this.budgets.state(budget.org_id, [budget]);
    return this.view(budget, counter!);
  }

  /** This replica rereads the org's budgets; the store learns the revision, so the others reread theirs. */
  private async tell(orgId: string, revision: number): Promise<void> {
    await this.definitions.reload(orgId);
    await this.budgets.changed(orgId, revision);
  }

  /** Budgets of one org or several, each with its counters. */
  private async withState(budgets: StoredBudget[]): Promise<Budget[]> {
    const byOrg = new Map<string, StoredBudget[]>();
    for (const budget of budgets) byOrg.set(budget.org_id, [...(byOrg.get(budget.org_id) ?? []), budget]);
    const counters = new Map<string, CounterState>();
    for (const [orgId, ofOrg] of byOrg) {
      const state = await this.budgets.state(orgId, ofOrg);
      ofOrg.forEach((budget, index) => counters.set(budget.id, state[index]!));
    }
    return budgets.map((budget) => this.view(budget, counters.get(budget.id)!));
  }

  private view(budget: StoredBudget, counter: CounterState): Budget {
    return budgetView(budget, counter, this.budgets.periodOf(budget, counter.periodStartMs).endMs);
  }

  private async require(budgetId: string): Promise<StoredBudget> {
    const budget = UUID.test(budgetId) ? await this.repository.find(budgetId) : undefined;
    if (!budget) throw this.missing(budgetId);
    return budget;
  }

  private missing(budgetId: string): PolymuxException {
    return new PolymuxException(ErrorCode.NotFound, `budget ${budgetId} not found`);
  }
}
