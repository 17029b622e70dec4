import type { DeploymentOutcome } from '@polymux/contracts';

import type { HealthRecord, HealthRules } from './deployment-health';
import type { HealthStore } from './health.store';

/** How long a router replica plans with a deployment's record before reading it again. */
export const HEALTH_READ_CACHE_MS = 250;

interface Cached {
  readAt: number;
  record: Promise<HealthRecord | undefined>;
}

/**
 * The shared store read at most once per deployment per `HEALTH_READ_CACHE_MS` by each replica,
 * however many plans ask: a plan then costs no Redis round trip, and a change another replica
 * recorded reaches this one's plans that much later (health is advisory: the breaker still opens
 * within a few calls). A record this replica writes is read afresh by its next plan. Concurrent
 * plans share one read; a failed read is not kept.
 */
export class CachedHealthStore implements HealthStore {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly inner: HealthStore,
    private readonly ttlMs = HEALTH_READ_CACHE_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  async record(outcome: DeploymentOutcome, now: number, rules: HealthRules): Promise<void> {
    await this.inner.record(outcome, now, rules);
    this.cache.delete(outcome.deploymentId);
  }

  async read(deploymentIds: readonly string[]): Promise<Map<string, HealthRecord>> {
    const now = this.clock();
    const missing = deploymentIds.filter((id) => {
      const cached = this.cache.get(id);
      return !cached || now - cached.readAt >= this.ttlMs;
    });
    if (missing.length > 0) {
      const read = this.inner.read(missing);
      for (const id of missing) {
        const record = read.then((records) => records.get(id));
        this.cache.set(id, { readAt: now, record });
        record.catch(() => this.cache.get(id)?.record === record && this.cache.delete(id));
      }
    }
    const records = await Promise.all(deploymentIds.map((id) => this.cache.get(id)!.record));
    const found = new Map<string, HealthRecord>();
    records.forEach((record, index) => record && found.set(deploymentIds[index]!, record));
    return found;
  }

  claimProbe(deploymentId: string, now: number, ttlMs: number): Promise<boolean> {
    return this.inner.claimProbe(deploymentId, now, ttlMs);
  }
}
