import { randomUUID } from 'node:crypto';

import type { LedgerSnapshot } from './balance.store';
import type { BudgetCounter, BudgetStore, HoldInStore } from './budget.store';

/**
 * The behaviour every `BudgetStore` shares, run against the memory store (unit) and the Redis store
 * (integration) so that the embedded and distributed modes cannot drift apart.
 */
export const describeBudgetStore = (name: string, create: () => BudgetStore, dispose?: () => Promise<void>) => {
  describe(`${name} budget store`, () => {
    let store: BudgetStore;
    let org: string;
    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;
    const PERIOD = Date.UTC(2025, 5, 10);
    const SNAPSHOT: LedgerSnapshot = { xmin: 100n, xmax: 100n, inProgress: [] };
    let nextXid = 1000n;
    const hard = (budgetId: string, hardLimit: bigint | null, periodStartMs = PERIOD): BudgetCounter => ({
      budgetId,
      periodStartMs,
      hardLimit,
    });
    const later = () => Date.now() + HOUR;
    const hold = (reservationId: string, amount: bigint, budgets: BudgetCounter[], extra: Partial<HoldInStore> = {}) =>
      store.hold({
        orgId: org,
        revision: 1,
        reservationId,
        amount,
        expiresAtMs: later(),
        settlementKey: `charge:${reservationId}`,
        budgets,
        ...extra,
      });
    const settle = (reservationId: string, cost: bigint, budgets: BudgetCounter[], xid = (nextXid += 1n)) =>
      store.settle({ orgId: org, revision: 1, reservationId, key: `charge:${reservationId}`, cost, xid, budgets });
    const stateOf = (budgets: BudgetCounter[]) => store.state(org, budgets);

    beforeAll(() => {
      store = create();
    });
    afterAll(async () => {
      await dispose?.();
    });
    beforeEach(async () => {
      org = `org-${randomUUID()}`;
      await store.hydrate(org, 1, [], SNAPSHOT);
    });

    it('holds on every budget at once, and refuses past any hard limit on none', async () => {
      const budgets = [hard('org', 100n), hard('key', 50n), hard('soft', null)];
      expect(await hold('a', 30n, budgets)).toEqual({ status: 'held', spent: [0n, 0n, 0n] });
      expect(await hold('b', 20n, budgets)).toEqual({ status: 'held', spent: [0n, 0n, 0n] });
      // The key's 50 are held in full: a third call is refused, and holds nothing anywhere.
      expect(await hold('c', 1n, budgets)).toEqual({ status: 'exceeded', budgetId: 'key', used: 50n, limit: 50n });
      expect(await stateOf(budgets)).toEqual([
        { periodStartMs: PERIOD, spent: 0n, held: 50n, alertedPercent: 0 },
        { periodStartMs: PERIOD, spent: 0n, held: 50n, alertedPercent: 0 },
        { periodStartMs: PERIOD, spent: 0n, held: 50n, alertedPercent: 0 },
      ]);
      expect(await hold('d', 50n, [hard('org', 100n)])).toEqual({ status: 'held', spent: [0n] });
      expect(await hold('e', 1n, [hard('org', 100n)])).toMatchObject({ status: 'exceeded', budgetId: 'org' });
    });

    it('answers a retried hold with the same hold', async () => {
      const budgets = [hard('b', 100n)];
      await hold('a', 30n, budgets);
      expect(await hold('a', 60n, budgets)).toEqual({ status: 'held', spent: [0n] });
      expect(await stateOf(budgets)).toEqual([{ periodStartMs: PERIOD, spent: 0n, held: 30n, alertedPercent: 0 }]);
    });

    it('releases a hold once, on every budget it was taken on', async () => {
      const budgets = [hard('x', 100n), hard('y', null)];
      await hold('a', 30n, budgets);
      expect(await store.release(org, 'a')).toBe(true);
      expect(await store.release(org, 'a')).toBe(false);
      expect(await stateOf(budgets)).toEqual([
        { periodStartMs: PERIOD, spent: 0n, held: 0n, alertedPercent: 0 },
        { periodStartMs: PERIOD, spent: 0n, held: 0n, alertedPercent: 0 },
      ]);
    });

    it('moves a hold to spent once, and refuses a new hold for a settled call', async () => {
      const budgets = [hard('b', 100n)];
      await hold('a', 40n, budgets);
      const counters = [{ periodStartMs: PERIOD, spent: 15n, held: 0n, alertedPercent: 0 }];
      expect(await settle('a', 15n, budgets)).toEqual({ status: 'applied', counters });
      expect(await settle('a', 15n, budgets)).toEqual({ status: 'duplicate', counters });
      expect(await hold('a', 5n, budgets)).toEqual({ status: 'settled' });
      // 15 spent: 85 can still be held, not 86.
      expect(await hold('b', 86n, budgets)).toEqual({ status: 'exceeded', budgetId: 'b', used: 15n, limit: 100n });
      expect(await hold('c', 85n, budgets)).toEqual({ status: 'held', spent: [15n] });
    });

    it('counts a cost above the hold in full', async () => {
      const budgets = [hard('b', 100n)];
      await hold('a', 10n, budgets);
      expect(await settle('a', 25n, budgets)).toMatchObject({ counters: [{ spent: 25n, held: 0n }] });
    });

    it('starts a new period fresh, keeping the holds of calls still in flight', async () => {
      const today = [hard('b', 100n)];
      const tomorrow = [hard('b', 100n, PERIOD + DAY)];
      await hold('spent', 60n, today);
      await settle('spent', 60n, today);
      await hold('flying', 30n, today);
      expect(await hold('refused', 11n, today)).toMatchObject({ status: 'exceeded', used: 90n });
      expect(await stateOf(tomorrow)).toEqual([
        { periodStartMs: PERIOD + DAY, spent: 0n, held: 30n, alertedPercent: 0 },
      ]);
      expect(await hold('new', 70n, tomorrow)).toEqual({ status: 'held', spent: [0n] });
      expect(await hold('over', 1n, tomorrow)).toMatchObject({ status: 'exceeded', used: 100n });
      // A replica whose clock is behind does not take the budget back to yesterday.
      expect(await hold('late', 1n, today)).toMatchObject({ status: 'exceeded', used: 100n });
      expect(await settle('flying', 20n, tomorrow)).toMatchObject({
        counters: [{ periodStartMs: PERIOD + DAY, spent: 20n, held: 70n }],
      });
    });

    it('answers stale to definitions older than the newest it saw, and remembers newer ones', async () => {
      const budgets = [hard('b', 100n)];
      expect(await hold('a', 1n, budgets, { revision: 3 })).toMatchObject({ status: 'held' });
      expect(await hold('b', 1n, budgets, { revision: 2 })).toEqual({ status: 'stale' });
      expect(
        await store.settle({ orgId: org, revision: 2, reservationId: 'a', key: 'k', cost: 1n, xid: 5000n, budgets }),
      ).toEqual({ status: 'stale' });
      expect(await store.raiseRevision(org, 5)).toBe('raised');
      expect(await hold('c', 1n, budgets, { revision: 4 })).toEqual({ status: 'stale' });
      expect(await store.raiseRevision(org, 1)).toBe('raised');
      expect(await hold('c', 1n, budgets, { revision: 5 })).toMatchObject({ status: 'held' });
    });

    it('asks for hydration for an org it does not know, even one without budgets', async () => {
      const unknown = `org-${randomUUID()}`;
      const request = {
        orgId: unknown,
        reservationId: 'a',
        amount: 1n,
        expiresAtMs: later(),
        settlementKey: 'charge:a',
      };
      expect(await store.hold({ ...request, revision: 0, budgets: [] })).toEqual({ status: 'unknown' });
      expect(await store.hold({ ...request, revision: 2, budgets: [hard('b', 5n)] })).toEqual({ status: 'unknown' });
      const settlement = { orgId: unknown, reservationId: 'a', key: 'charge:a', cost: 1n, xid: 5000n, budgets: [] };
      expect(await store.settle({ ...settlement, revision: 0 })).toEqual({ status: 'unknown' });
      expect(await store.raiseRevision(unknown, 2)).toBe('unknown');
      expect(await store.state(unknown, [])).toBeNull();
      await store.hydrate(unknown, 0, [], SNAPSHOT);
      expect(await store.hold({ ...request, revision: 0, budgets: [] })).toEqual({ status: 'held', spent: [] });
      expect(await store.settle({ ...settlement, revision: 0 })).toEqual({ status: 'applied', counters: [] });
    });

    it('hydrates counters once and does not count again what the snapshot counted', async () => {
      const hydrated = `org-${randomUUID()}`;
      const budgets = [hard('b', 100n)];
      const counters = [{ budgetId: 'b', periodStartMs: PERIOD, spent: 70n, alertedPercent: 50 }];
      expect(await store.hydrate(hydrated, 4, counters, { xmin: 100n, xmax: 110n, inProgress: [105n] })).toBe(true);
      expect(await store.hydrate(hydrated, 4, [], SNAPSHOT)).toBe(false);
      const settleOn = (reservationId: string, xid: bigint) =>
        store.settle({
          orgId: hydrated,
          revision: 4,
          reservationId,
          key: `charge:${reservationId}`,
          cost: 5n,
          xid,
          budgets,
        });
      expect(await settleOn('counted', 99n)).toMatchObject({ status: 'reflected', counters: [{ spent: 70n }] });
      expect(await settleOn('in-progress', 105n)).toMatchObject({ status: 'applied', counters: [{ spent: 75n }] });
      expect(await settleOn('after', 110n)).toMatchObject({
        status: 'applied',
        counters: [{ spent: 80n, alertedPercent: 50 }],
      });
      expect(
        await store.hold({
          orgId: hydrated,
          revision: 4,
          reservationId: 'x',
          amount: 21n,
          expiresAtMs: later(),
          settlementKey: 'charge:x',
          budgets,
        }),
      ).toMatchObject({ status: 'exceeded', used: 80n });
    });

    it('remembers alerted thresholds only upward and only within their period', async () => {
      const today = [hard('b', null)];
      await hold('a', 1n, today);
      await store.markAlerted(org, 'b', PERIOD, 50);
      await store.markAlerted(org, 'b', PERIOD, 20);
      await store.markAlerted(org, 'b', PERIOD - DAY, 90);
      expect(await stateOf(today)).toMatchObject([{ alertedPercent: 50 }]);
      expect(await stateOf([hard('b', null, PERIOD + DAY)])).toMatchObject([{ alertedPercent: 0 }]);
      expect(await settle('a', 1n, [hard('b', null, PERIOD + DAY)])).toMatchObject({
        counters: [{ periodStartMs: PERIOD + DAY, spent: 1n, alertedPercent: 0 }],
      });
    });

    it('compares amounts beyond 2^53 nano-USD without rounding', async () => {
      const limit = 2n ** 60n + 1n;
      const budgets = [hard('big', limit)];
      expect(await hold('a', limit + 1n, budgets)).toMatchObject({ status: 'exceeded', used: 0n, limit });
      expect(await hold('b', limit - 1n, budgets)).toEqual({ status: 'held', spent: [0n] });
      expect(await hold('c', 2n, budgets)).toMatchObject({ status: 'exceeded', used: limit - 1n });
      expect(await hold('d', 1n, budgets)).toEqual({ status: 'held', spent: [0n] });
    });

    it('frees expired holds only, by the bound it is given', async () => {
      const budgets = [hard('b', 100n)];
      const now = Date.now();
      await hold('expired', 10n, budgets, { expiresAtMs: now - 1 });
      await hold('live', 20n, budgets, { expiresAtMs: now + HOUR });
      expect(await store.releaseExpired(now - 5_000, 1_000)).toBe(0);
      expect(await store.releaseExpired(now, 1_000)).toBeGreaterThanOrEqual(1);
      expect(await stateOf(budgets)).toMatchObject([{ held: 20n }]);
      expect(await store.release(org, 'expired')).toBe(false);
      expect(await store.release(org, 'live')).toBe(true);
    });

    it('never overspends a hard budget under 1,000 concurrent holds', async () => {
      const budgets = [hard('org', 10_000n), hard('key', 2_500n), hard('soft', null)];
      const outcomes = await Promise.all(Array.from({ length: 1_000 }, (_, i) => hold(`r${i}`, 10n, budgets)));
      expect(outcomes.filter((outcome) => outcome.status === 'held')).toHaveLength(250);
      expect(outcomes.filter((outcome) => outcome.status === 'exceeded')).toHaveLength(750);
      expect(await stateOf(budgets)).toEqual([
        { periodStartMs: PERIOD, spent: 0n, held: 2_500n, alertedPercent: 0 },
        { periodStartMs: PERIOD, spent: 0n, held: 2_500n, alertedPercent: 0 },
        { periodStartMs: PERIOD, spent: 0n, held: 2_500n, alertedPercent: 0 },
      ]);
    });
  });
};
