import type { LedgerSnapshot } from './balance.store';
import { APPLIED_MARKER_TTL_SECONDS, snapshotCounts } from './balance.store';
import type {
  BudgetStore,
  CounterState,
  HoldInStore,
  HoldOutcome,
  HydratedCounter,
  PeriodRef,
  SettleInStore,
  SettleOutcome,
} from './budget.store';

interface Counter {
  periodStartMs: number;
  spent: bigint;
  held: bigint;
  alertedPercent: number;
}

interface Org {
  revision: number;
  snapshot: LedgerSnapshot;
  counters: Map<string, Counter>;
  holds: Map<string, { amount: bigint; budgetIds: string[]; expiresAtMs: number }>;
}

/**
 * The embedded mode's budget store: the Redis store's semantics in process memory. No method awaits
 * anything before it answers, so each runs to completion alone, as a Redis script does.
 */
export class MemoryBudgetStore implements BudgetStore {
  private readonly orgs = new Map<string, Org>();
  /** Applied markers: `<org>\0<key>` → expiry. */
  private readonly applied = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async hold(request: HoldInStore): Promise<HoldOutcome> {
    const org = this.orgs.get(request.orgId);
    const hold = org?.holds.get(request.reservationId);
    if (org && hold) return { status: 'held', spent: request.budgets.map((budget) => this.counter(org, budget).spent) };
    if (this.isApplied(request.orgId, request.settlementKey)) return { status: 'settled' };
    if (!org) return { status: 'unknown' };
    if (!this.current(org, request.revision)) return { status: 'stale' };
    const counters = request.budgets.map((budget) => this.counter(org, budget));
    for (const [index, budget] of request.budgets.entries()) {
      const used = counters[index]!.spent + counters[index]!.held;
      if (budget.hardLimit !== null && used + request.amount > budget.hardLimit)
        return { status: 'exceeded', budgetId: budget.budgetId, used, limit: budget.hardLimit };
    }
    if (counters.length === 0) return { status: 'held', spent: [] };
    for (const counter of counters) counter.held += request.amount;
    org.holds.set(request.reservationId, {
      amount: request.amount,
      budgetIds: request.budgets.map((budget) => budget.budgetId),
      expiresAtMs: request.expiresAtMs,
    });
    return { status: 'held', spent: counters.map((counter) => counter.spent) };
  }

  async release(orgId: string, reservationId: string): Promise<boolean> {
    return this.releaseHold(orgId, reservationId);
  }

  async settle(request: SettleInStore): Promise<SettleOutcome> {
    const org = this.orgs.get(request.orgId);
    if (!org) return { status: 'unknown' };
    if (!this.current(org, request.revision)) return { status: 'stale' };
    this.releaseHold(request.orgId, request.reservationId);
    const counters = request.budgets.map((budget) => this.counter(org, budget));
    let status: 'applied' | 'duplicate' | 'reflected' = 'duplicate';
    if (!this.isApplied(request.orgId, request.key)) {
      this.applied.set(this.markerOf(request.orgId, request.key), this.now() + APPLIED_MARKER_TTL_SECONDS * 1000);
      status = snapshotCounts(org.snapshot, request.xid) ? 'reflected' : 'applied';
      if (status === 'applied') for (const counter of counters) counter.spent += request.cost;
    }
    return { status, counters: counters.map((counter) => ({ ...counter })) };
  }

  async hydrate(
    orgId: string,
    revision: number,
    counters: HydratedCounter[],
    snapshot: LedgerSnapshot,
  ): Promise<boolean> {
    if (this.orgs.has(orgId)) return false;
    this.orgs.set(orgId, {
      revision,
      snapshot,
      counters: new Map(
        counters.map(({ budgetId, periodStartMs, spent, alertedPercent }) => [
          budgetId,
          { periodStartMs, spent, held: 0n, alertedPercent },
        ]),
      ),
      holds: new Map(),
    });
    return true;
  }

  async raiseRevision(orgId: string, revision: number): Promise<'raised' | 'unknown'> {
    const org = this.orgs.get(orgId);
    if (!org) return 'unknown';
    org.revision = Math.max(org.revision, revision);
    return 'raised';
  }

  async state(orgId: string, budgets: readonly PeriodRef[]): Promise<CounterState[] | null> {
    const org = this.orgs.get(orgId);
    if (!org) return null;
    return budgets.map(({ budgetId, periodStartMs }) => {
      const counter = org.counters.get(budgetId);
      if (!counter) return { periodStartMs, spent: 0n, held: 0n, alertedPercent: 0 };
      return counter.periodStartMs < periodStartMs
        ? { periodStartMs, spent: 0n, held: counter.held, alertedPercent: 0 }
        : { ...counter };
    });
  }

  async markAlerted(orgId: string, budgetId: string, periodStartMs: number, percent: number): Promise<void> {
    const counter = this.orgs.get(orgId)?.counters.get(budgetId);
    if (counter && counter.periodStartMs === periodStartMs && counter.alertedPercent < percent)
      counter.alertedPercent = percent;
  }

  async releaseExpired(upToMs: number, limit: number): Promise<number> {
    let released = 0;
    for (const [orgId, org] of this.orgs) {
      for (const [reservationId, hold] of org.holds) {
        if (released >= limit) return released;
        if (hold.expiresAtMs <= upToMs && this.releaseHold(orgId, reservationId)) released += 1;
      }
    }
    const now = this.now();
    for (const [marker, expiresAtMs] of this.applied) if (expiresAtMs <= now) this.applied.delete(marker);
    return released;
  }

  /** A revision at least the store's is current (a newer one is remembered); an older one is stale. */
  private current(org: Org, revision: number): boolean {
    if (revision < org.revision) return false;
    org.revision = revision;
    return true;
  }

  /** A budget's counter in its current period: one of an older period starts over, keeping its holds. */
  private counter(org: Org, { budgetId, periodStartMs }: PeriodRef): Counter {
    let counter = org.counters.get(budgetId);
    if (!counter) {
      counter = { periodStartMs, spent: 0n, held: 0n, alertedPercent: 0 };
      org.counters.set(budgetId, counter);
    } else if (counter.periodStartMs < periodStartMs) {
      Object.assign(counter, { periodStartMs, spent: 0n, alertedPercent: 0 });
    }
    return counter;
  }

  private releaseHold(orgId: string, reservationId: string): boolean {
    const org = this.orgs.get(orgId);
    const hold = org?.holds.get(reservationId);
    if (!org || !hold) return false;
    org.holds.delete(reservationId);
    for (const budgetId of hold.budgetIds) {
      const counter = org.counters.get(budgetId);
      if (counter) counter.held -= hold.amount;
    }
    return true;
  }

  private isApplied(orgId: string, key: string): boolean {
    return (this.applied.get(this.markerOf(orgId, key)) ?? 0) > this.now();
  }

  private markerOf(orgId: string, key: string): string {
    return `${orgId}\u0000${key}`;
  }
}
