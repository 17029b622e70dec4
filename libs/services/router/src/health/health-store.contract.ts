import { randomUUID } from 'node:crypto';

import type { DeploymentOutcome } from '@polymux/contracts';

import type { HealthRules } from './deployment-health';
import type { HealthStore } from './health.store';

const RULES: HealthRules = { breakerFailures: 2, breakerOpenMs: 1_000, cooldownMs: 500 };

/**
 * What every `HealthStore` does, run against the memory store (unit) and the Redis store
 * (integration), so that the embedded and distributed modes keep one breaker.
 */
export const describeHealthStore = (name: string, create: () => HealthStore) => {
  describe(`${name} health store`, () => {
    let store: HealthStore;
    let id: string;
    const outcome = (fields: Partial<DeploymentOutcome>): DeploymentOutcome => ({
      deploymentId: id,
      outcome: 'success',
      latencyMs: 100,
      ...fields,
    });

    beforeAll(() => {
      store = create();
    });
    beforeEach(() => {
      id = `sim/${randomUUID()}`;
    });

    it('has no record of a deployment no outcome named', async () => {
      expect(await store.read([id])).toEqual(new Map());
    });

    it('keeps moving averages of latency and time to first token, and the error rate', async () => {
      await store.record(outcome({ latencyMs: 100, ttftMs: 20 }), 1_000, RULES);
      await store.record(outcome({ latencyMs: 200, ttftMs: 40 }), 1_001, RULES);
      await store.record(outcome({ outcome: 'failed', latencyMs: 5 }), 1_002, RULES);
      const record = (await store.read([id])).get(id)!;
      expect(record.latencyMs).toBeCloseTo(120);
      expect(record.ttftMs).toBeCloseTo(24);
      expect(record.errorRate).toBeCloseTo(0.2);
      expect(record).toMatchObject({ samples: 3, failures: 1, openUntil: 0, coolUntil: 0 });
    });

    it('keeps a moving average of the output speed of the successful calls that measured one', async () => {
      await store.record(outcome({ latencyMs: 50 }), 1_000, RULES);
      expect((await store.read([id])).get(id)!.outputTokensPerSecond).toBeUndefined();
      await store.record(outcome({ outputTokens: 100, generationMs: 1_000 }), 1_001, RULES);
      expect((await store.read([id])).get(id)!.outputTokensPerSecond).toBeCloseTo(100);
      // Neither a call without counts nor a failed one moves it.
      await store.record(outcome({}), 1_002, RULES);
      await store.record(outcome({ outcome: 'failed', outputTokens: 999, generationMs: 1 }), 1_003, RULES);
      await store.record(outcome({ outputTokens: 150, generationMs: 500 }), 1_004, RULES);
      const record = (await store.read([id])).get(id)!;
      expect(record.outputTokensPerSecond).toBeCloseTo(140);
      expect(record).toMatchObject({ samples: 5, failures: 0 });
    });

    it('opens the breaker at the threshold of failures in a row, and a success closes it', async () => {
      await store.record(outcome({ outcome: 'failed' }), 1_000, RULES);
      expect((await store.read([id])).get(id)).toMatchObject({ failures: 1, openUntil: 0 });
      await store.record(outcome({ outcome: 'failed' }), 1_700_000_000_123, RULES);
      expect((await store.read([id])).get(id)).toMatchObject({ failures: 2, openUntil: 1_700_000_001_123 });
      await store.record(outcome({}), 1_700_000_002_000, RULES);
      expect((await store.read([id])).get(id)).toMatchObject({ failures: 0, openUntil: 0 });
    });

    it('cools down after a 429 for its retry-after, else the default, keeping the later end', async () => {
      await store.record(outcome({ outcome: 'rate_limited', retryAfterMs: 3_000 }), 10_000, RULES);
      await store.record(outcome({ outcome: 'rate_limited' }), 11_000, RULES);
      expect((await store.read([id])).get(id)).toMatchObject({ coolUntil: 13_000, failures: 0, openUntil: 0 });
      await store.record(outcome({ outcome: 'rate_limited' }), 12_600, RULES);
      expect((await store.read([id])).get(id)).toMatchObject({ coolUntil: 13_100 });
    });

    it('gives a half-open probe to one caller at a time', async () => {
      expect(await store.claimProbe(id, 1_000, 60_000)).toBe(true);
      expect(await store.claimProbe(id, 1_001, 60_000)).toBe(false);
    });
  });
};
