import { loadConfig } from '@polymux/config';
import type { Deployment, DeploymentOutcome } from '@polymux/contracts';

import { HealthService } from './health.service';
import { MemoryHealthStore } from './memory-health.store';
import { plannedDeployment } from './testing/deployment.fixture';

const deployment = plannedDeployment;
const A = deployment('a/m');
const B = deployment('b/m');
const C = deployment('c/m');

describe('HealthService', () => {
  let health: HealthService;
  const config = loadConfig(
    'router',
    { POLYMUX_BREAKER_FAILURES: '3', POLYMUX_BREAKER_OPEN_MS: '10000', POLYMUX_COOLDOWN_MS: '2000' },
    {},
  );
  const outcome = (deploymentId: string, fields: Partial<DeploymentOutcome> = {}): Promise<void> =>
    health.record({ deploymentId, outcome: 'success', latencyMs: 50, ...fields });
  const fail = async (deploymentId: string, times: number) => {
    for (let i = 0; i < times; i++) await outcome(deploymentId, { outcome: 'failed', upstreamStatus: 500 });
  };
  const plan = async (...candidates: Deployment[]) => {
    const arranged = await health.arrange(candidates, await health.snapshot(candidates.map((entry) => entry.id)));
    return { order: arranged.candidates.map((entry) => entry.id), skipped: arranged.skipped };
  };
  const breakerOf = async (id: string) => (await health.snapshot([id])).get(id)?.breaker;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    health = new HealthService(new MemoryHealthStore(), config);
  });
  afterEach(() => jest.useRealTimers());

  it('keeps the given order while everything is healthy or unknown', async () => {
    await outcome(B.id);
    expect(await plan(A, B, C)).toEqual({ order: ['a/m', 'b/m', 'c/m'], skipped: [] });
  });

  describe('the circuit breaker', () => {
    it('stays closed below the threshold, and a success resets the count', async () => {
      await fail(A.id, 2);
      await outcome(A.id);
      await fail(A.id, 2);
      expect(await breakerOf(A.id)).toBe('closed');
      expect((await plan(A, B)).order).toEqual(['a/m', 'b/m']);
    });

    it('opens at the threshold and moves the deployment last', async () => {
      await fail(A.id, 3);
      expect(await breakerOf(A.id)).toBe('open');
      expect(await plan(A, B)).toEqual({ order: ['b/m', 'a/m'], skipped: [{ deploymentId: 'a/m', reason: 'open' }] });
    });

    it('turns half-open after the open period, lets one call probe, and a successful probe closes it', async () => {
      await fail(A.id, 3);
      jest.advanceTimersByTime(9_999);
      expect(await breakerOf(A.id)).toBe('open');
      jest.advanceTimersByTime(1);
      expect(await breakerOf(A.id)).toBe('half-open');
      // The first plan probes (A keeps its place); the next, while the probe runs, does not.
      expect((await plan(A, B)).order).toEqual(['a/m', 'b/m']);
      expect(await plan(A, B)).toEqual({ order: ['b/m', 'a/m'], skipped: [{ deploymentId: 'a/m', reason: 'open' }] });
      await outcome(A.id);
      expect(await breakerOf(A.id)).toBe('closed');
      expect(await plan(A, B)).toEqual({ order: ['a/m', 'b/m'], skipped: [] });
    });

    it('opens again for a whole period when the probe fails', async () => {
      await fail(A.id, 3);
      jest.advanceTimersByTime(10_000);
      expect((await plan(A, B)).order).toEqual(['a/m', 'b/m']);
      await fail(A.id, 1);
      expect(await breakerOf(A.id)).toBe('open');
      jest.advanceTimersByTime(9_999);
      expect(await breakerOf(A.id)).toBe('open');
      // A new period: its probe lease (held for one open period) has run out too.
      jest.advanceTimersByTime(1);
      expect((await plan(A, B)).order).toEqual(['a/m', 'b/m']);
    });

    it('neither counts a 429 towards the breaker nor resets its count', async () => {
      await fail(A.id, 2);
      await outcome(A.id, { outcome: 'rate_limited', retryAfterMs: 1 });
      expect(await breakerOf(A.id)).toBe('closed');
      await fail(A.id, 1);
      expect(await breakerOf(A.id)).toBe('open');
    });
  });

  describe('the cooldown after a 429', () => {
    it('honours retry-after, then the deployment is back in its place', async () => {
      await outcome(A.id, { outcome: 'rate_limited', upstreamStatus: 429, retryAfterMs: 5_000 });
      expect(await plan(A, B)).toEqual({
        order: ['b/m', 'a/m'],
        skipped: [{ deploymentId: 'a/m', reason: 'cooling' }],
      });
      jest.advanceTimersByTime(4_999);
      expect((await plan(A, B)).order).toEqual(['b/m', 'a/m']);
      jest.advanceTimersByTime(1);
      expect(await plan(A, B)).toEqual({ order: ['a/m', 'b/m'], skipped: [] });
    });

    it('lasts the configured default when the provider named no retry-after', async () => {
      await outcome(A.id, { outcome: 'rate_limited', upstreamStatus: 429 });
      jest.advanceTimersByTime(1_999);
      expect((await health.snapshot([A.id])).get(A.id)).toMatchObject({ cooling: true, availableAt: Date.now() + 1 });
      jest.advanceTimersByTime(1);
      expect((await health.snapshot([A.id])).get(A.id)).toMatchObject({ cooling: false, availableAt: null });
    });

    it('orders the deployments moved last by when they are available again', async () => {
      await outcome(A.id, { outcome: 'rate_limited', retryAfterMs: 8_000 });
      await outcome(B.id, { outcome: 'rate_limited', retryAfterMs: 3_000 });
      expect((await plan(A, B, C)).order).toEqual(['c/m', 'b/m', 'a/m']);
    });
  });

  it('routes as if all were healthy when the store cannot be read', async () => {
    const broken = new MemoryHealthStore();
    jest.spyOn(broken, 'read').mockRejectedValue(new Error('redis down'));
    health = new HealthService(broken, config);
    expect(await health.snapshot([A.id])).toEqual(new Map());
  });
});
