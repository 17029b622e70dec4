import { Inject, Injectable } from '@nestjs/common';
import type { CallFacts, PlanKind, PlanQuotaState, PlanSpec, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { Transaction } from 'kysely';

import { BillingClock } from '../budgets/billing-clock';
import { BudgetDefinitions } from '../budgets/budget-definitions';
import { PeriodCache } from '../budgets/budget-period';
import type { OrgBudgets } from '../budgets/budget.repository';
import type { BudgetCharge } from '../budgets/budgets.service';
import type { DB } from '../schema/db';
import type { BudgetStore } from '../store/budget.store';
import { BUDGET_STORE } from '../store/budget.store';
import type { Price } from './plan-pricing';
import { DEFAULT_PLAN, callPrice, changeInForce, creditFloor, modelsAllowed } from './plan-pricing';
import type { UsageRow } from './plan.repository';
import { PlanRepository, readPlanChanges } from './plan.repository';

/** Stale definitions or a lost counter are fixed and asked again at most this often. */
const MAX_ATTEMPTS = 4;
/** A free plan's quota is one counter in the budget store, under its own key space beside the org's budgets. */
const QUOTA = 'quota';
export const quotaSpace = (orgId: string) => `plan:${orgId}`;

const BUSY = () =>
  new PolymuxException(ErrorCode.ServiceUnavailable, 'the plan changed while this call was checked; try again', {
    retryAfterSeconds: 1,
  });

type FreePlan = Extract<PlanSpec, { plan: 'free' }>['settings'];

/** What one call used of a free plan's quota. */
const quotaUse = (settings: FreePlan, usage: UsageRecorded): bigint =>
  settings.dailyQuota.unit === 'calls' ? 1n : BigInt(usage.inputTokens + usage.outputTokens);

/** A call's own time (its plan is the one in force then), or the settlement's if the event's is unreadable. */
const callTimeOf = (usage: UsageRecorded, fallbackMs: number): number => {
  const ms = Date.parse(usage.occurredAt);
  return Number.isFinite(ms) ? ms : fallbackMs;
};

/** A settled call's price and the plan it was priced under. */
export interface PricedUsage {
  price: Price;
  spec: PlanSpec;
}

/**
 * Plans on the call path and at settlement. At reservation a free plan's allowed models are
 * checked and its daily quota held (the call's token bound, or one call) through the budget store,
 * atomically across replicas; at settlement each call is priced once under the plan in force at
 * its time (`callPrice`), the price recorded with the charge, and the quota's hold moved to its use.
 */
@Injectable()
export class PlansService {
  private readonly periods = new PeriodCache();

  constructor(
    private readonly definitions: BudgetDefinitions,
    private readonly repository: PlanRepository,
    @Inject(BUDGET_STORE) private readonly store: BudgetStore,
    private readonly clock: BillingClock,
  ) {}

  /** The plan in force for an org now, by billing's clock. */
  inForce(org: OrgBudgets, nowMs = this.clock.now()): PlanSpec {
    return changeInForce(org.plans, nowMs)?.spec ?? DEFAULT_PLAN;
  }

  /**
   * The lowest balance an org's project accounts may reserve down to under the plan `org` has in
   * force now: minus an invoiced enterprise plan's credit limit, else 0 (prepaid).
   */
  floorIn(org: OrgBudgets, nowMs = this.clock.now()): bigint {
    return creditFloor(this.inForce(org, nowMs));
  }

  /** The floor by this replica's definitions (a hint: the definitions the budget store accepts decide). */
  floor(orgId: string): bigint {
    return this.floorIn(this.definitions.of(orgId));
  }

  /** Whether this replica's definitions put the org on a free plan now (a hint: `admit` decides). */
  isFree(orgId: string): boolean {
    return this.inForce(this.definitions.of(orgId)).plan === 'free';
  }

  /**
   * Admits a call under its org's plan (`org`: the definitions the budget store accepted), or
   * throws: a model a free plan does not allow, or a quota its bound would pass. A free call's
   * quota hold is taken under the reservation's id, freed with it or settled with its charge.
   * Answers the plan the call was admitted under.
   */
  async admit(
    orgId: string,
    org: OrgBudgets,
    call: CallFacts | undefined,
    hold: { reservationId: string; expiresAtMs: number; settlementKey: string },
  ): Promise<PlanKind> {
    let definitions = org;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      const spec = this.inForce(definitions, now);
      if (spec.plan !== 'free') return spec.plan;
      const { allowedModels, dailyQuota, timezone } = spec.settings;
      if (call && !modelsAllowed(allowedModels, call)) {
        const others = call.models.filter((model) => !allowedModels.includes(model));
        throw new PolymuxException(
          ErrorCode.ModelNotAllowed,
          `the free plan of org ${orgId} allows only ${allowedModels.join(', ')}; ${call.requestedModel} ` +
            `could be served by ${others.join(', ') || 'no allowed model'}`,
          { param: 'model' },
        );
      }
      const day = this.periods.at('daily', timezone, now);
      const amount = dailyQuota.unit === 'calls' ? 1n : BigInt(call?.maxTokens ?? 0);
      const outcome = await this.store.hold({
        orgId: quotaSpace(orgId),
        revision: definitions.revision,
        ...hold,
        amount,
        budgets: [{ budgetId: QUOTA, periodStartMs: day.startMs, hardLimit: BigInt(dailyQuota.limit) }],
      });
      switch (outcome.status) {
        case 'held':
          return spec.plan;
        case 'exceeded':
          throw new PolymuxException(
            ErrorCode.PlanQuotaExceeded,
            `the free plan's daily quota of ${dailyQuota.limit} ${dailyQuota.unit} would be exceeded: ${outcome.used} ` +
              `are used or held, and this call may use up to ${amount} (the day ends ${new Date(day.endMs).toISOString()} ` +
              `in ${timezone})`,
          );
        case 'settled':
          throw new PolymuxException(ErrorCode.Conflict, `request ${hold.reservationId} is already settled`);
        case 'stale':
          definitions = await this.definitions.reload(orgId);
          break;
        case 'unknown':
          await this.hydrate(orgId, day.startMs);
          break;
      }
    }
    throw BUSY();
  }

  /** A free plan's quota counter today (hydrated first when the store lost it). */
  async quotaState(orgId: string, settings: FreePlan): Promise<PlanQuotaState> {
    const day = this.periods.at('daily', settings.timezone, this.clock.now());
    const refs = [{ budgetId: QUOTA, periodStartMs: day.startMs }];
    let state = await this.store.state(quotaSpace(orgId), refs);
    if (!state) {
      await this.hydrate(orgId, day.startMs);
      state = await this.store.state(quotaSpace(orgId), refs);
    }
    const counter = state?.[0];
    return {
      unit: settings.dailyQuota.unit,
      limit: settings.dailyQuota.limit,
      used: (counter?.spent ?? 0n).toString(),
      held: (counter?.held ?? 0n).toString(),
      periodStart: new Date(day.startMs).toISOString(),
      periodEnd: new Date(day.endMs).toISOString(),
    };
  }

  /** Frees a reservation's quota hold (none for an org that never had a free plan). */
  release(orgId: string, reservationId: string): Promise<boolean> {
    if (!this.definitions.of(orgId).plans.some((change) => change.spec.plan === 'free')) return Promise.resolve(false);
    return this.store.release(quotaSpace(orgId), reservationId);
  }

  /**
   * Prices a settlement batch's calls, in its transaction: a call priced before (a redelivery) keeps
   * its recorded price; a new one is priced under the plan in force at its time, an enterprise's
   * month counter locked first (in key order), so every replica prices one org's month in turn.
   */
  async price(trx: Transaction<DB>, calls: readonly UsageRecorded[]): Promise<PricedUsage[]> {
    const known = await this.repository.pricesOf(
      trx,
      calls.map((usage) => usage.requestId),
    );
    const changes = await readPlanChanges(trx, [...new Set(calls.map((usage) => usage.orgId))]);
    const now = this.clock.now();
    const resolved = calls.map((usage) => {
      const change = changeInForce(changes.get(usage.orgId) ?? [], callTimeOf(usage, now));
      const spec = change?.spec ?? DEFAULT_PLAN;
      const month =
        spec.plan === 'enterprise'
          ? this.periods.at('monthly', spec.settings.timezone, callTimeOf(usage, now)).startMs
          : undefined;
      return { usage, change, spec, month };
    });
    const monthKey = (orgId: string, month: number) => `${orgId}\u0000${String(month).padStart(16, '0')}`;
    const months = new Map<string, { orgId: string; month: number }>();
    for (const { usage, month } of resolved)
      if (month !== undefined && !known.has(usage.requestId))
        months.set(monthKey(usage.orgId, month), { orgId: usage.orgId, month });
    const running = new Map<string, bigint>();
    for (const [key, { orgId, month }] of [...months].sort(([a], [b]) => (a < b ? -1 : 1))) {
      running.set(key, await this.repository.lockCounter(trx, { orgId, counter: 'list', periodStartMs: month }));
    }
    const priced = resolved.map(({ usage, change, spec, month }) => {
      const stored = known.get(usage.requestId);
      if (stored) return { usage, change, spec, month, price: stored };
      const key = month === undefined ? undefined : monthKey(usage.orgId, month);
      const price = callPrice(spec, {
        listCost: BigInt(usage.cost),
        model: usage.model,
        provider: usage.provider,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        monthListSpent: key === undefined ? 0n : running.get(key)!,
      });
      if (key !== undefined) running.set(key, running.get(key)! + price.listCost);
      return { usage, change, spec, month, price };
    });
    const inserted = await this.repository.insertPrices(
      trx,
      priced
        .filter(({ usage }) => !known.has(usage.requestId))
        .map(({ usage, change, price }) => ({
          requestId: usage.requestId,
          orgId: usage.orgId,
          changeId: change?.id ?? null,
          ...price,
        })),
    );
    await this.repository.addUsage(
      trx,
      priced
        .filter(({ usage, month }) => month !== undefined && inserted.has(usage.requestId))
        .map(({ usage, month, price }) => ({
          orgId: usage.orgId,
          counter: 'list',
          periodStartMs: month!,
          used: price.listCost,
        })),
    );
    // A call another replica priced meanwhile keeps that price.
    const raced = priced.filter(({ usage }) => !known.has(usage.requestId) && !inserted.has(usage.requestId));
    const theirs = await this.repository.pricesOf(
      trx,
      raced.map(({ usage }) => usage.requestId),
    );
    return priced.map(({ usage, spec, price }) => ({ spec, price: theirs.get(usage.requestId) ?? price }));
  }

  /** Adds newly charged free calls to their quota's day in Postgres (settlement time), in the batch's transaction. */
  async recordQuota(
    trx: Transaction<DB>,
    charged: ReadonlyArray<{ usage: UsageRecorded; spec: PlanSpec }>,
  ): Promise<void> {
    const rows = new Map<string, UsageRow>();
    const now = this.clock.now();
    for (const { usage, spec } of charged) {
      if (spec.plan !== 'free') continue;
      const periodStartMs = this.periods.at('daily', spec.settings.timezone, now).startMs;
      const key = `${usage.orgId} ${periodStartMs}`;
      const row = rows.get(key) ?? { orgId: usage.orgId, counter: 'quota' as const, periodStartMs, used: 0n };
      row.used += quotaUse(spec.settings, usage);
      rows.set(key, row);
    }
    await this.repository.addUsage(trx, [...rows.values()]);
  }

  /** Moves free calls' quota holds to the day's use (once per charge); frees any other call's quota hold. */
  async settle(charges: ReadonlyArray<BudgetCharge & { spec: PlanSpec }>): Promise<void> {
    await Promise.all(
      charges.map((charge) =>
        charge.spec.plan === 'free'
          ? this.settleOne(charge, charge.spec.settings)
          : this.release(charge.usage.orgId, charge.usage.reservationId),
      ),
    );
  }

  private async settleOne({ usage, key, xid }: BudgetCharge, settings: FreePlan): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const periodStartMs = this.periods.at('daily', settings.timezone, this.clock.now()).startMs;
      const outcome = await this.store.settle({
        orgId: quotaSpace(usage.orgId),
        revision: this.definitions.of(usage.orgId).revision,
        reservationId: usage.reservationId,
        key,
        cost: quotaUse(settings, usage),
        xid,
        budgets: [{ budgetId: QUOTA, periodStartMs }],
      });
      switch (outcome.status) {
        case 'stale':
          await this.definitions.reload(usage.orgId);
          break;
        case 'unknown':
          await this.hydrate(usage.orgId, periodStartMs);
          break;
        case 'applied':
        case 'duplicate':
        case 'reflected':
          return;
      }
    }
    throw BUSY();
  }

  /** Sets a quota counter the store lost (or never had) from Postgres, with the snapshot the settle script checks. */
  private async hydrate(orgId: string, periodStartMs: number): Promise<void> {
    const read = await this.repository.quotaHydration(orgId, periodStartMs);
    await this.store.hydrate(
      quotaSpace(orgId),
      read.revision,
      [{ budgetId: QUOTA, periodStartMs, spent: read.used, alertedPercent: 0 }],
      read.snapshot,
    );
  }
}
