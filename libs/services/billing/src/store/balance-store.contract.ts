import { randomUUID } from 'node:crypto';

import type { BalanceStore, LedgerEffect, LedgerSnapshot } from './balance.store';

/**
 * The behaviour every `BalanceStore` shares, run against the memory store (unit) and the Redis
 * store (integration) so that the embedded and distributed modes cannot drift apart.
 */
export const describeBalanceStore = (name: string, create: () => BalanceStore, dispose?: () => Promise<void>) => {
  describe(`${name} balance store`, () => {
    let store: BalanceStore;
    let account: string;
    const HOUR = 3_600_000;
    /** The hydration snapshot: transactions below 100 were counted; new ones get ids from 1000. */
    const SNAPSHOT: LedgerSnapshot = { xmin: 100n, xmax: 100n, inProgress: [] };
    let nextXid = 1000n;
    const later = () => Date.now() + HOUR;
    const reserve = (reservationId: string, amount: bigint, expiresAtMs = later(), floor?: bigint) =>
      store.reserve({
        accountId: account,
        reservationId,
        amount,
        expiresAtMs,
        settlementKey: `charge:${reservationId}`,
        ...(floor === undefined ? {} : { floor }),
      });
    const reserveAbove = (floor: bigint, reservationId: string, amount: bigint) =>
      reserve(reservationId, amount, later(), floor);
    const charge = (requestId: string, cost: bigint, xid = (nextXid += 1n)): LedgerEffect => ({
      accountId: account,
      key: `charge:${requestId}`,
      delta: -cost,
      xid,
      reservationId: requestId,
    });

    beforeAll(() => {
      store = create();
    });
    afterAll(async () => {
      await dispose?.();
    });
    beforeEach(async () => {
      account = `acct-${randomUUID()}`;
      await store.hydrate(account, 100n, SNAPSHOT);
    });

    it('holds what is available and refuses the rest, exactly', async () => {
      expect(await reserve('a', 60n)).toEqual({ status: 'held', amount: 60n });
      expect(await reserve('b', 41n)).toEqual({ status: 'insufficient', available: 40n });
      expect(await reserve('c', 40n)).toEqual({ status: 'held', amount: 40n });
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 100n });
    });

    it('answers a retried reservation with the same hold', async () => {
      await reserve('a', 30n);
      expect(await reserve('a', 50n)).toEqual({ status: 'held', amount: 30n });
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 30n });
    });

    it('compares amounts beyond 2^53 nano-USD without rounding', async () => {
      const big = `acct-${randomUUID()}`;
      const balance = 2n ** 60n + 1n;
      await store.hydrate(big, balance, SNAPSHOT);
      const request = { accountId: big, expiresAtMs: later(), settlementKey: 'charge:x' };
      expect(await store.reserve({ ...request, reservationId: 'x', amount: balance + 1n })).toEqual({
        status: 'insufficient',
        available: balance,
      });
      expect(await store.reserve({ ...request, reservationId: 'y', amount: balance })).toEqual({
        status: 'held',
        amount: balance,
      });
    });

    it('refuses accounts it does not know', async () => {
      const request = {
        accountId: `acct-${randomUUID()}`,
        reservationId: 'a',
        amount: 1n,
        expiresAtMs: later(),
        settlementKey: 'charge:a',
      };
      expect(await store.reserve(request)).toEqual({ status: 'insufficient', available: 0n });
      expect(await store.apply({ accountId: request.accountId, key: 'k', delta: 5n, xid: 2000n })).toBe('unknown');
      expect(await store.balance(request.accountId)).toEqual({ balance: 0n, reserved: 0n });
    });

    it('releases a hold once', async () => {
      await reserve('a', 30n);
      expect(await store.release(account, 'a')).toBe(true);
      expect(await store.release(account, 'a')).toBe(false);
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 0n });
    });

    it('settles once: frees the hold, debits the cost, ignores a duplicate', async () => {
      await reserve('a', 30n);
      expect(await store.apply(charge('a', 12n))).toBe('applied');
      expect(await store.balance(account)).toEqual({ balance: 88n, reserved: 0n });
      expect(await store.apply(charge('a', 12n))).toBe('duplicate');
      expect(await store.balance(account)).toEqual({ balance: 88n, reserved: 0n });
      expect(await reserve('a', 5n)).toEqual({ status: 'settled' });
    });

    it('does not apply what the hydrated ledger sum already counted', async () => {
      expect(await store.apply(charge('old', 10n, 99n))).toBe('reflected');
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 0n });
      expect(await store.hydrate(account, 5n, SNAPSHOT)).toBe(false);
    });

    it('applies exactly the transactions its hydration snapshot did not count', async () => {
      const racing = `acct-${randomUUID()}`;
      // Read while transaction 105 was still in progress: it started before the read, committed after.
      await store.hydrate(racing, 1_000n, { xmin: 100n, xmax: 110n, inProgress: [105n, 107n] });
      const effect = (key: string, xid: bigint): LedgerEffect => ({ accountId: racing, key, delta: -1n, xid });
      expect(await store.apply(effect('finished-before', 99n))).toBe('reflected');
      expect(await store.apply(effect('committed-before', 104n))).toBe('reflected');
      expect(await store.apply(effect('in-progress', 105n))).toBe('applied');
      expect(await store.apply(effect('committed-before-too', 106n))).toBe('reflected');
      expect(await store.apply(effect('in-progress-too', 107n))).toBe('applied');
      expect(await store.apply(effect('started-after', 110n))).toBe('applied');
      expect(await store.balance(racing)).toEqual({ balance: 997n, reserved: 0n });
    });

    it('answers what a reservation holds, and nothing once it is settled', async () => {
      await reserve('a', 30n);
      expect(await store.held(account, 'a')).toBe(30n);
      expect(await store.held(account, 'b')).toBeNull();
      await store.apply(charge('a', 12n));
      expect(await store.held(account, 'a')).toBeNull();
    });

    it('frees holds expired by the bound it is given, not by the clock', async () => {
      const now = Date.now();
      await reserve('long-expired', 10n, now - 10_000);
      await reserve('just-expired', 20n, now - 1);
      expect(await store.releaseExpired(now - 5_000, 1_000)).toBe(1);
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 20n });
      expect(await store.releaseExpired(now, 1_000)).toBe(1);
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 0n });
    });

    it('frees expired holds only', async () => {
      const now = Date.now();
      await reserve('expired', 10n, now - 1);
      await reserve('live', 20n, now + HOUR);
      expect(await store.releaseExpired(now, 1_000)).toBe(1);
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 20n });
      expect(await store.release(account, 'expired')).toBe(false);
      expect(await store.release(account, 'live')).toBe(true);
    });

    it('holds down to a floor below zero, exactly, and no further', async () => {
      expect(await reserveAbove(-50n, 'a', 120n)).toEqual({ status: 'held', amount: 120n });
      expect(await reserveAbove(-50n, 'b', 31n)).toEqual({ status: 'insufficient', available: 30n });
      expect(await reserveAbove(-50n, 'c', 30n)).toEqual({ status: 'held', amount: 30n });
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 150n });
      // The default floor is 0: what is held below zero leaves nothing for a prepaid reservation.
      expect(await reserve('d', 1n)).toEqual({ status: 'insufficient', available: -50n });
    });

    it('counts a balance already below zero against the floor', async () => {
      await reserveAbove(-50n, 'a', 140n);
      expect(await store.apply(charge('a', 140n))).toBe('applied');
      expect(await store.balance(account)).toEqual({ balance: -40n, reserved: 0n });
      expect(await reserveAbove(-50n, 'b', 11n)).toEqual({ status: 'insufficient', available: 10n });
      expect(await reserveAbove(-50n, 'b', 10n)).toEqual({ status: 'held', amount: 10n });
      // A raised limit (a lower floor) lets it hold again.
      expect(await reserveAbove(-1_000n, 'c', 900n)).toEqual({ status: 'held', amount: 900n });
      expect(await store.balance(account)).toEqual({ balance: -40n, reserved: 910n });
    });

    it('compares floors beyond 2^53 nano-USD without rounding', async () => {
      const big = 2n ** 60n + 3n;
      expect(await reserveAbove(-big, 'a', big + 101n)).toEqual({ status: 'insufficient', available: big + 100n });
      expect(await reserveAbove(-big, 'a', big + 100n)).toEqual({ status: 'held', amount: big + 100n });
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: big + 100n });
    });

    it('answers unknown for an account it does not know when the floor is below zero', async () => {
      const request = {
        accountId: `acct-${randomUUID()}`,
        reservationId: 'a',
        amount: 1n,
        expiresAtMs: later(),
        settlementKey: 'charge:a',
      };
      expect(await store.reserve({ ...request, floor: -10n })).toEqual({ status: 'unknown' });
      await store.hydrate(request.accountId, -5n, SNAPSHOT);
      expect(await store.reserve({ ...request, amount: 6n, floor: -10n })).toEqual({
        status: 'insufficient',
        available: 5n,
      });
      expect(await store.reserve({ ...request, amount: 5n, floor: -10n })).toEqual({ status: 'held', amount: 5n });
    });

    it('refuses a floor above zero', async () => {
      await expect(reserveAbove(1n, 'a', 1n)).rejects.toThrow('never above 0');
    });

    it('never passes the floor under concurrent reservations', async () => {
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => reserveAbove(-100n, `r${i}`, 10n)));
      expect(outcomes.filter((outcome) => outcome.status === 'held')).toHaveLength(20);
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 200n });
    });

    it('never overspends under concurrent reservations', async () => {
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => reserve(`r${i}`, 10n)));
      expect(outcomes.filter((outcome) => outcome.status === 'held')).toHaveLength(10);
      expect(await store.balance(account)).toEqual({ balance: 100n, reserved: 100n });
    });
  });
};
