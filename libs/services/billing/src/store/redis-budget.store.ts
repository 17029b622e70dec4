import type { Redis } from 'ioredis';

import type { LedgerSnapshot } from './balance.store';
import { APPLIED_MARKER_TTL_SECONDS } from './balance.store';
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
import { releaseDueHolds } from './expiry-index';
import { defineBudgetScripts } from './redis-budget-scripts';
import { BUDGET_HOLD_ORGS_INDEX, budgetKeys } from './redis-keys';

const SETTLED: ReadonlySet<string> = new Set(['applied', 'duplicate', 'reflected']);

/** Four strings per budget (period start, spent, held, alerted) from `from` on. */
const countersOf = (answer: readonly string[], from: number, budgets: readonly PeriodRef[]): CounterState[] =>
  budgets.map((budget, index) => {
    const [p, s, h, a] = answer.slice(from + index * 4, from + index * 4 + 4);
    const stored = p ? Number(p) : 0;
    // Read-only answers (`state`) do not roll a counter over: an older period's spend counts as none.
    return stored < budget.periodStartMs
      ? { periodStartMs: budget.periodStartMs, spent: 0n, held: BigInt(h ?? '0'), alertedPercent: 0 }
      : { periodStartMs: stored, spent: BigInt(s ?? '0'), held: BigInt(h ?? '0'), alertedPercent: Number(a ?? '0') };
  });

/** The distributed budget store: every check-and-change is one Lua script on one org's keys, atomic across replicas. */
export class RedisBudgetStore implements BudgetStore {
  constructor(private readonly redis: Redis) {
    defineBudgetScripts(redis);
  }

  async hold(request: HoldInStore): Promise<HoldOutcome> {
    const keys = budgetKeys(request.orgId);
    const args = request.budgets.flatMap((budget) => [
      budget.budgetId,
      String(budget.periodStartMs),
      budget.hardLimit === null ? '' : budget.hardLimit.toString(),
    ]);
    // Sent together on one connection, as for balances: a refused hold leaves at most a stale index entry.
    const [[status, ...rest]] = await Promise.all([
      this.redis.budgetHold(
        keys.state,
        keys.holds,
        keys.expiries,
        keys.applied(request.settlementKey),
        request.reservationId,
        request.amount.toString(),
        String(request.expiresAtMs),
        String(request.revision),
        ...args,
      ),
      request.budgets.length > 0
        ? this.redis.zadd(BUDGET_HOLD_ORGS_INDEX, 'LT', request.expiresAtMs, request.orgId)
        : Promise.resolve(0),
    ]);
    switch (status) {
      case 'held':
        return { status, spent: rest.map((spent) => BigInt(spent)) };
      case 'exceeded':
        return { status, budgetId: rest[0]!, used: BigInt(rest[1]!), limit: BigInt(rest[2]!) };
      case 'settled':
      case 'stale':
      case 'unknown':
        return { status };
      default:
        throw new Error(`unexpected budget hold answer ${status}`);
    }
  }

  async release(orgId: string, reservationId: string): Promise<boolean> {
    const keys = budgetKeys(orgId);
    return (await this.redis.budgetRelease(keys.state, keys.holds, keys.expiries, reservationId)) === 1;
  }

  async settle(request: SettleInStore): Promise<SettleOutcome> {
    const keys = budgetKeys(request.orgId);
    const [status, ...rest] = await this.redis.budgetSettle(
      keys.state,
      keys.holds,
      keys.expiries,
      keys.applied(request.key),
      request.reservationId,
      request.cost.toString(),
      request.xid.toString(),
      String(APPLIED_MARKER_TTL_SECONDS),
      String(request.revision),
      ...request.budgets.flatMap((budget) => [budget.budgetId, String(budget.periodStartMs)]),
    );
    if (status === 'stale' || status === 'unknown') return { status };
    if (status === undefined || !SETTLED.has(status)) throw new Error(`unexpected budget settle answer ${status}`);
    return {
      status: status as 'applied' | 'duplicate' | 'reflected',
      counters: countersOf(rest, 0, request.budgets),
    };
  }

  async hydrate(
    orgId: string,
    revision: number,
    counters: HydratedCounter[],
    snapshot: LedgerSnapshot,
  ): Promise<boolean> {
    const set = await this.redis.budgetHydrate(
      budgetKeys(orgId).state,
      String(revision),
      snapshot.xmin.toString(),
      snapshot.xmax.toString(),
      `,${snapshot.inProgress.join(',')},`,
      ...counters.flatMap((counter) => [
        counter.budgetId,
        String(counter.periodStartMs),
        counter.spent.toString(),
        String(counter.alertedPercent),
      ]),
    );
    return set === 1;
  }

  async raiseRevision(orgId: string, revision: number): Promise<'raised' | 'unknown'> {
    const answer = await this.redis.budgetRaise(budgetKeys(orgId).state, String(revision));
    if (answer !== 'raised' && answer !== 'unknown') throw new Error(`unexpected budget raise answer ${answer}`);
    return answer;
  }

  async state(orgId: string, budgets: readonly PeriodRef[]): Promise<CounterState[] | null> {
    const [known, ...rest] = await this.redis.budgetState(
      budgetKeys(orgId).state,
      ...budgets.map((budget) => budget.budgetId),
    );
    return known === '1' ? countersOf(rest, 0, budgets) : null;
  }

  async markAlerted(orgId: string, budgetId: string, periodStartMs: number, percent: number): Promise<void> {
    await this.redis.budgetAlerted(budgetKeys(orgId).state, budgetId, String(periodStartMs), String(percent));
  }

  releaseExpired(upToMs: number, limit: number): Promise<number> {
    return releaseDueHolds(this.redis, BUDGET_HOLD_ORGS_INDEX, upToMs, limit, {
      expire: (orgId) => {
        const keys = budgetKeys(orgId);
        return this.redis.budgetExpire(keys.state, keys.holds, keys.expiries, String(upToMs), String(limit));
      },
      expiriesKey: (orgId) => budgetKeys(orgId).expiries,
    });
  }
}
