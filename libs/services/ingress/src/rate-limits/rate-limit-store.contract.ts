import { randomUUID } from 'node:crypto';

import type { ScopedRateLimits } from '@polymux/contracts';

import type { AdmitRequest, RateLimitStore } from './rate-limit.store';
import { WINDOW_MS } from './rate-limit.store';

/**
 * The behaviour every `RateLimitStore` shares, run against the memory store (unit) and the Redis
 * store (integration) so that the embedded and distributed modes cannot drift apart.
 */
export const describeRateLimitStore = (name: string, create: () => RateLimitStore) => {
  describe(`${name} rate-limit store`, () => {
    let store: RateLimitStore;
    let orgId: string;
    /** The start of a window, so that a test's calls never straddle two. */
    const NOW = 1_800_000_000_000 - (1_800_000_000_000 % WINDOW_MS);
    const LEASE = NOW + 900_000;
    const key = (limits: Omit<ScopedRateLimits, 'scope' | 'scopeId'>): ScopedRateLimits => ({
      scope: 'key',
      scopeId: 'k1',
      ...limits,
    });
    const admit = (limits: ScopedRateLimits[], overrides: Partial<AdmitRequest> = {}) =>
      store.admit({ orgId, callId: randomUUID(), tokens: 10, nowMs: NOW, leaseUntilMs: LEASE, limits, ...overrides });

    beforeAll(() => {
      store = create();
    });
    beforeEach(() => {
      orgId = `org-${randomUUID()}`;
    });

    it('admits up to the rpm and refuses the next call, naming the scope and the limit', async () => {
      const limits = [key({ rpm: 3 })];
      for (let call = 1; call <= 3; call++) {
        expect(await admit(limits)).toEqual({
          admitted: true,
          windowStartMs: NOW,
          use: [{ requests: call, tokens: call * 10, inFlight: 0 }],
        });
      }
      expect(await admit(limits)).toEqual({
        admitted: false,
        windowStartMs: NOW,
        use: [{ requests: 3, tokens: 30, inFlight: 0 }],
        scope: 0,
        limit: 'rpm',
      });
    });

    it('counts a window of its own from the next minute on', async () => {
      const limits = [key({ rpm: 1 })];
      expect((await admit(limits)).admitted).toBe(true);
      expect((await admit(limits, { nowMs: NOW + WINDOW_MS - 1 })).admitted).toBe(false);
      expect(await admit(limits, { nowMs: NOW + WINDOW_MS })).toMatchObject({
        admitted: true,
        windowStartMs: NOW + WINDOW_MS,
      });
    });

    it('counts nothing in any scope when one scope refuses', async () => {
      const project: ScopedRateLimits = { scope: 'project', scopeId: 'p1', rpm: 1 };
      expect((await admit([project, key({ rpm: 10 })])).admitted).toBe(true);
      expect(await admit([project, key({ rpm: 10 })])).toMatchObject({ admitted: false, scope: 0, limit: 'rpm' });
      // The key's own counter saw the first call only: the refused one counted nowhere.
      expect(await admit([key({ rpm: 10 })])).toMatchObject({ admitted: true, use: [{ requests: 2 }] });
    });

    it('holds a call’s token bound and corrects it to the actual tokens at its end', async () => {
      const limits = [key({ tpm: 100 })];
      const first = await admit(limits, { callId: 'a', tokens: 80 });
      expect(first).toMatchObject({ admitted: true, use: [{ tokens: 80 }] });
      expect(await admit(limits, { tokens: 30 })).toMatchObject({
        admitted: false,
        limit: 'tpm',
        use: [{ tokens: 80 }],
      });
      await store.end({ orgId, callId: 'a', windowStartMs: NOW, tokenDelta: 25 - 80, limits });
      expect(await admit(limits, { tokens: 30 })).toMatchObject({ admitted: true, use: [{ tokens: 55 }] });
    });

    it('frees a failed call’s tokens entirely', async () => {
      const limits = [key({ tpm: 50 })];
      await admit(limits, { callId: 'failed', tokens: 50 });
      await store.end({ orgId, callId: 'failed', windowStartMs: NOW, tokenDelta: -50, limits });
      expect(await admit(limits, { tokens: 50 })).toMatchObject({ admitted: true, use: [{ tokens: 50 }] });
    });

    it('limits calls in flight and frees a slot when a call ends', async () => {
      const limits = [key({ maxConcurrent: 2 })];
      await admit(limits, { callId: 'a' });
      expect(await admit(limits, { callId: 'b' })).toMatchObject({ admitted: true, use: [{ inFlight: 2 }] });
      expect(await admit(limits, { callId: 'c' })).toMatchObject({ admitted: false, limit: 'maxConcurrent' });
      await store.end({ orgId, callId: 'a', windowStartMs: NOW, tokenDelta: 0, limits });
      expect(await admit(limits, { callId: 'c' })).toMatchObject({ admitted: true, use: [{ inFlight: 2 }] });
    });

    it('frees the slot of a call never ended once its lease is over', async () => {
      const limits = [key({ maxConcurrent: 1 })];
      await admit(limits, { callId: 'lost', leaseUntilMs: NOW + 1_000 });
      expect((await admit(limits, { nowMs: NOW + 999 })).admitted).toBe(false);
      expect((await admit(limits, { nowMs: NOW + 1_000 })).admitted).toBe(true);
    });

    it('keeps orgs apart', async () => {
      await admit([key({ rpm: 1 })]);
      expect((await admit([key({ rpm: 1 })], { orgId: `org-${randomUUID()}` })).admitted).toBe(true);
    });

    it('admits every one of concurrent calls up to the limit, and no more', async () => {
      const limits = [key({ rpm: 7 })];
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => admit(limits)));
      expect(outcomes.filter((outcome) => outcome.admitted)).toHaveLength(7);
    });

    it('counts failed key checks per address and window', async () => {
      const address = `198.51.100.${Math.floor(Math.random() * 250)}-${randomUUID()}`;
      expect(await store.failedAuths(address, NOW, 60_000)).toBe(0);
      await store.recordFailedAuth(address, NOW, 60_000);
      await store.recordFailedAuth(address, NOW + 10, 60_000);
      expect(await store.failedAuths(address, NOW + 20, 60_000)).toBe(2);
      expect(await store.failedAuths(`${address}-other`, NOW, 60_000)).toBe(0);
      expect(await store.failedAuths(address, NOW + 60_000, 60_000)).toBe(0);
    });
  });
};
