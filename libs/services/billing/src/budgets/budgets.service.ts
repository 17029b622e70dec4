import { Inject, Injectable } from '@nestjs/common';
import type { BudgetUse, CallScopes, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { Transaction } from 'kysely';

import type { DB } from '../schema/db';
import type { BudgetStore, CounterState, PeriodRef } from '../store/budget.store';
import { BUDGET_STORE } from '../store/budget.store';
import { BillingClock } from './billing-clock';
import { reachedThresholds } from './budget-thresholds';
import { applicableTo, BudgetDefinitions } from './budget-definitions';
import type { PeriodBounds } from './budget-period';
import { PeriodCache } from './budget-period';
import type { OrgBudgets, SpendRow, StoredBudget } from './budget.repository';
import { BudgetRepository, spendKey } from './budget.repository';

/** Stale definitions or lost counters are fixed and asked again at most this often per call. */
const MAX_ATTEMPTS = 4;

export type BudgetHold =
  /** `org`: the definitions the store accepted as current (its plan changes included). */
  | { status: 'held'; uses: BudgetUse[]; org?: OrgBudgets }
  | { status: 'exceeded'; budget: StoredBudget; used: bigint; limit: bigint; period: PeriodBounds }
  | { status: 'settled' };

/** One call's charge as the ledger recorded it, for its budgets. */
export interface BudgetCharge {
  usage: UsageRecorded;
  /** The charge's ledger idempotency key. */
  key: string;
  /** The Postgres transaction that recorded it. */
  xid: bigint;
}

/** A settled call's effect on one budget, for the soft thresholds. */
export interface SettledBudget {
  budget: StoredBudget;
  counter: CounterState;
  usage: UsageRecorded;
}

const BUSY = () =>
  new PolymuxException(ErrorCode.ServiceUnavailable, 'budgets changed while this call was checked; try again', {
    retryAfterSeconds: 1,
  });

/**
 * Budgets on the call path: holds a call's maximum cost on every budget it counts against, frees
 * it, and moves it to the period's spend at settlement, through the budget store (Redis or memory).
 * Definitions come from memory (`BudgetDefinitions`); a store that answers `stale` makes them be
 * read again, one that lost an org's counters (`unknown`) has them hydrated from Postgres.
 */
@Injectable()
export class BudgetsService {
  private readonly periods = new PeriodCache();
  /** Hydrations in flight: the calls that find an org unknown at once share one. */
  private readonly hydrating = new Map<string, Promise<void>>();

  constructor(
    private readonly definitions: BudgetDefinitions,
    private readonly repository: BudgetRepository,
    @Inject(BUDGET_STORE) private readonly store: BudgetStore,
    private readonly clock: BillingClock,
  ) {}

  /** The current period of a budget by billing's clock (or at `nowMs`). */
  periodOf(budget: StoredBudget, nowMs = this.clock.now()): PeriodBounds {
    return this.periods.at(budget.period, budget.timezone, nowMs);
  }

  async hold(
    scopes: CallScopes,
    hold: { reservationId: string; amount: bigint; expiresAtMs: number; settlementKey: string },
  ): Promise<BudgetHold> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const org = this.definitions.of(scopes.orgId);
      const budgets = applicableTo(org.budgets, scopes);
      const now = this.clock.now();
      const outcome = await this.store.hold({
        orgId: scopes.orgId,
        revision: org.revision,
        ...hold,
        budgets: budgets.map((budget) => ({
          budgetId: budget.id,
          periodStartMs: this.periodOf(budget, now).startMs,
          hardLimit: budget.hard_limit === null ? null : BigInt(budget.hard_limit),
        })),
      });
      switch (outcome.status) {
        case 'held':
          return {
            status: 'held',
            org,
            uses: budgets.map((budget, index) => ({
              budgetId: budget.id,
              scope: budget.scope,
              amount: String(budget.amount),
              spent: (outcome.spent[index] ?? 0n).toString(),
            })),
          };
        case 'exceeded': {
          const budget = budgets.find((candidate) => candidate.id === outcome.budgetId)!;
          return { ...outcome, budget, period: this.periodOf(budget, now) };
        }
        case 'settled':
          return outcome;
        case 'stale':
          await this.definitions.reload(scopes.orgId);
          break;
        case 'unknown':
          await this.hydrate(scopes.orgId);
          break;
      }
    }
    throw BUSY();
  }

  release(orgId: string, reservationId: string): Promise<boolean> {
    return this.store.release(orgId, reservationId);
  }

  /**
   * Adds each newly charged call's cost to the budgets it counts against, in their periods at
   * `nowMs`, summed per budget and period, inside the settlement batch's transaction. The budgets
   * are read in that transaction, not taken from memory, so no spend is missed for a budget this
   * replica has not heard of yet; what was read becomes this replica's definitions.
   */
  async recordSpend(trx: Transaction<DB>, usages: readonly UsageRecorded[], nowMs: number): Promise<void> {
    if (usages.length === 0) return;
    const orgs = await this.repository.ofOrgsIn(trx, [...new Set(usages.map((usage) => usage.orgId))]);
    for (const [orgId, org] of orgs) this.definitions.remember(orgId, org);
    const rows = new Map<string, SpendRow>();
    for (const usage of usages) {
      for (const budget of applicableTo(orgs.get(usage.orgId)!.budgets, usage)) {
        const periodStartMs = this.periodOf(budget, nowMs).startMs;
        const key = spendKey(budget.id, periodStartMs);
        const row = rows.get(key) ?? { budgetId: budget.id, periodStartMs, spent: 0n };
        row.spent += BigInt(usage.cost);
        rows.set(key, row);
      }
    }
    await this.repository.addSpend(trx, [...rows.values()]);
  }

  /**
   * Moves each call's hold to its budgets' spend at `nowMs` (once per charge) and answers every
   * budget's counters after it. Issued together, the store's commands go out as one pipeline.
   */
  async settle(charges: readonly BudgetCharge[], nowMs: number): Promise<SettledBudget[]> {
    const settled = await Promise.all(charges.map((charge) => this.settleOne(charge, nowMs)));
    return settled.flat();
  }

  private async settleOne({ usage, key, xid }: BudgetCharge, nowMs: number): Promise<SettledBudget[]> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const org = this.definitions.of(usage.orgId);
      const budgets = applicableTo(org.budgets, usage);
      const refs: PeriodRef[] = budgets.map((budget) => ({
        budgetId: budget.id,
        periodStartMs: this.periodOf(budget, nowMs).startMs,
      }));
      const outcome = await this.store.settle({
        orgId: usage.orgId,
        revision: org.revision,
        reservationId: usage.reservationId,
        key,
        cost: BigInt(usage.cost),
        xid,
        budgets: refs,
      });
      switch (outcome.status) {
        case 'stale':
          await this.definitions.reload(usage.orgId);
          break;
        case 'unknown':
          await this.hydrate(usage.orgId);
          break;
        case 'applied':
        case 'duplicate':
        case 'reflected':
          return budgets.map((budget, index) => ({ budget, counter: outcome.counters[index]!, usage }));
      }
    }
    throw BUSY();
  }

  /** The counters of these budgets now, hydrating the org first when the store lost it. */
  async state(orgId: string, budgets: readonly StoredBudget[]): Promise<CounterState[]> {
    const now = this.clock.now();
    const refs = budgets.map((budget) => ({ budgetId: budget.id, periodStartMs: this.periodOf(budget, now).startMs }));
    const known = await this.store.state(orgId, refs);
    if (known) return known;
    await this.hydrate(orgId);
    return (
      (await this.store.state(orgId, refs)) ??
      refs.map(({ periodStartMs }) => ({
        periodStartMs,
        spent: 0n,
        held: 0n,
        alertedPercent: 0,
      }))
    );
  }

  /** Tells the store an org's budgets changed (hydrating it if it does not know the org). */
  async changed(orgId: string, revision: number): Promise<void> {
    if ((await this.store.raiseRevision(orgId, revision)) === 'unknown') await this.hydrate(orgId);
  }

  /**
   * Sets an org's counters the store lost (or never had) from Postgres: each budget's spend in its
   * current period, read with the snapshot the settle script uses not to count a charge twice. The
   * thresholds that spend already reached count as alerted. Once per org and store: the first call
   * of an org a replica's store does not know waits for this one query.
   */
  hydrate(orgId: string): Promise<void> {
    const pending = this.hydrating.get(orgId);
    if (pending) return pending;
    const hydration = this.hydrateNow(orgId).finally(() => this.hydrating.delete(orgId));
    this.hydrating.set(orgId, hydration);
    return hydration;
  }

  private async hydrateNow(orgId: string): Promise<void> {
    const now = this.clock.now();
    const read = await this.repository.hydrationOf(orgId, (budgets) =>
      budgets.map((budget) => ({ budgetId: budget.id, periodStartMs: this.periodOf(budget, now).startMs })),
    );
    const counters = read.budgets.map((budget) => {
      const periodStartMs = this.periodOf(budget, now).startMs;
      const spent = read.spent.get(spendKey(budget.id, periodStartMs)) ?? 0n;
      return {
        budgetId: budget.id,
        periodStartMs,
        spent,
        alertedPercent: reachedThresholds(budget, spent).at(-1) ?? 0,
      };
    });
    await this.store.hydrate(orgId, read.revision, counters, read.snapshot);
    this.definitions.remember(orgId, { revision: read.revision, budgets: read.budgets, plans: read.plans });
  }
}
