import type { DeploymentOutcome } from '@polymux/contracts';

import { CachedHealthStore } from './cached-health.store';
import type { HealthRules } from './deployment-health';
import { describeHealthStore } from './health-store.contract';
import type { HealthStore } from './health.store';
import { MemoryHealthStore } from './memory-health.store';

describeHealthStore('cached (over memory)', () => new CachedHealthStore(new MemoryHealthStore()));

const RULES: HealthRules = { breakerFailures: 2, breakerOpenMs: 1_000, cooldownMs: 500 };
const failed = (deploymentId: string): DeploymentOutcome => ({ deploymentId, outcome: 'failed', latencyMs: 5 });

describe('CachedHealthStore', () => {
  let shared: MemoryHealthStore;
  let reads: string[][];
  let failNextRead: boolean;
  let clock: number;
  let store: CachedHealthStore;
  /** The shared store as every replica sees it, counting this replica's reads. */
  const counted = (): HealthStore => ({
    record: (outcome, now, rules) => shared.record(outcome, now, rules),
    read: (ids) => {
      reads.push([...ids]);
      if (failNextRead) {
        failNextRead = false;
        return Promise.reject(new Error('redis down'));
      }
      return shared.read(ids);
    },
    claimProbe: (id, now, ttlMs) => shared.claimProbe(id, now, ttlMs),
  });

  beforeEach(() => {
    shared = new MemoryHealthStore();
    reads = [];
    failNextRead = false;
    clock = 1_000;
    store = new CachedHealthStore(counted(), 250, () => clock);
  });

  it('reads each deployment once for all the plans within its window, then again', async () => {
    await shared.record(failed('a'), 1_000, RULES);
    const plans = await Promise.all([store.read(['a', 'b']), store.read(['a', 'b']), store.read(['b'])]);
    expect(reads).toEqual([['a', 'b']]);
    expect(plans[0].get('a')?.failures).toBe(1);
    expect(plans[0].has('b')).toBe(false);
    // Another replica records a second failure: this one sees it once the window has passed.
    await shared.record(failed('a'), 1_100, RULES);
    clock += 249;
    expect((await store.read(['a'])).get('a')?.failures).toBe(1);
    clock += 1;
    expect((await store.read(['a'])).get('a')?.failures).toBe(2);
    expect(reads).toEqual([['a', 'b'], ['a']]);
  });

  it('reads afresh a deployment this replica just recorded', async () => {
    await store.read(['a']);
    await store.record(failed('a'), 1_000, RULES);
    expect((await store.read(['a'])).get('a')?.failures).toBe(1);
    expect(reads).toEqual([['a'], ['a']]);
  });

  it('keeps no failed read: the next plan tries again', async () => {
    failNextRead = true;
    await expect(store.read(['a'])).rejects.toThrow('redis down');
    await shared.record(failed('a'), 1_000, RULES);
    expect((await store.read(['a'])).get('a')?.failures).toBe(1);
    expect(reads).toEqual([['a'], ['a']]);
  });
});
