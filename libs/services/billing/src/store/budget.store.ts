import type { LedgerSnapshot } from './balance.store';

/**
 * Budget counters on the call path, one set per organisation (every budget a call counts against
 * belongs to its org, so one atomic step sees them all): Redis in the distributed mode, process
 * memory in the embedded one, with the same answers. Per budget: the current period's start, its
 * settled spend, what calls in flight hold on it, and the highest threshold alerted in the period.
 * Postgres keeps each period's spend (`billing.budget_spend`), from which lost counters are hydrated.
 *
 * Every operation names the org's budget `revision` its caller's definitions were read at: the
 * store remembers the newest it saw and answers `stale` to an older one, so a replica never enforces
 * budgets another replica has changed (it reloads them and asks again). An org the store does not
 * know, even one without budgets, is answered `unknown` until it is hydrated: a store that lost its
 * counters cannot tell an org that never had a budget from one whose budgets it forgot.
 */
export interface BudgetStore {
  /**
   * Holds `amount` on every budget at once, or on none: refused when it would take any budget with
   * a hard limit past it (period spend + holds + amount). A reservation id already held answers
   * `held` again with the current spend.
   */
  hold(request: HoldInStore): Promise<HoldOutcome>;
  /** Frees a reservation's hold on its org's budgets; false when there was none. */
  release(orgId: string, reservationId: string): Promise<boolean>;
  /**
   * Frees the call's hold and adds its cost to each budget's current period, once per `key`; a
   * transaction the hydration snapshot counted is not added again. Answers every budget's counters.
   */
  settle(request: SettleInStore): Promise<SettleOutcome>;
  /** Sets an org's counters the store does not know from Postgres; false when it already knows the org. */
  hydrate(orgId: string, revision: number, counters: HydratedCounter[], snapshot: LedgerSnapshot): Promise<boolean>;
  /** Records a newer revision (after a budget changed); `unknown` when the store does not know the org (hydrate it). */
  raiseRevision(orgId: string, revision: number): Promise<'raised' | 'unknown'>;
  /** The counters of these budgets in their current periods; null when the store does not know the org. */
  state(orgId: string, budgets: readonly PeriodRef[]): Promise<CounterState[] | null>;
  /** Remembers that the period's thresholds up to `percent` were alerted (ignored once the period moved on). */
  markAlerted(orgId: string, budgetId: string, periodStartMs: number, percent: number): Promise<void>;
  /** Frees up to `limit` holds whose expiry is at or before `upToMs`; answers how many it freed. */
  releaseExpired(upToMs: number, limit: number): Promise<number>;
}

export const BUDGET_STORE = Symbol('polymux.billing.budget-store');

/** A budget's current period, by billing's clock: counters of an older period start over at it. */
export interface PeriodRef {
  budgetId: string;
  periodStartMs: number;
}

export interface BudgetCounter extends PeriodRef {
  /** Refuse a hold past it; null: the budget only counts. */
  hardLimit: bigint | null;
}

export interface HoldInStore {
  orgId: string;
  revision: number;
  reservationId: string;
  amount: bigint;
  expiresAtMs: number;
  /** Idempotency key of the charge that would settle this reservation: once applied, no new hold. */
  settlementKey: string;
  budgets: readonly BudgetCounter[];
}

export type HoldOutcome =
  /** `spent`: each budget's period spend, in the order given. */
  | { status: 'held'; spent: bigint[] }
  /** `used`: the budget's period spend plus its holds, before this call. */
  | { status: 'exceeded'; budgetId: string; used: bigint; limit: bigint }
  | { status: 'settled' }
  | { status: 'stale' }
  | { status: 'unknown' };

export interface SettleInStore {
  orgId: string;
  revision: number;
  reservationId: string;
  /** The charge's ledger idempotency key. */
  key: string;
  cost: bigint;
  /** Postgres transaction id that recorded the charge (see `LedgerSnapshot`). */
  xid: bigint;
  budgets: readonly PeriodRef[];
}

export interface CounterState {
  periodStartMs: number;
  spent: bigint;
  held: bigint;
  alertedPercent: number;
}

export type SettleOutcome =
  /** `applied`: added; `duplicate`: the key was applied before; `reflected`: the hydration counted it. */
  | { status: 'applied' | 'duplicate' | 'reflected'; counters: CounterState[] }
  | { status: 'stale' }
  | { status: 'unknown' };

export interface HydratedCounter extends PeriodRef {
  spent: bigint;
  alertedPercent: number;
}
