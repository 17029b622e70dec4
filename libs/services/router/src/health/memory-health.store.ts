import type { DeploymentOutcome } from '@polymux/contracts';

import type { HealthRecord, HealthRules } from './deployment-health';
import { UNKNOWN_HEALTH, applyOutcome } from './deployment-health';
import type { HealthStore } from './health.store';

/** The embedded mode's health store: one process, so a map is shared by every caller. */
export class MemoryHealthStore implements HealthStore {
  private readonly records = new Map<string, HealthRecord>();
  /** Half-open probes held, by deployment, until when. */
  private readonly probes = new Map<string, number>();

  async record(outcome: DeploymentOutcome, now: number, rules: HealthRules): Promise<void> {
    const current = this.records.get(outcome.deploymentId) ?? UNKNOWN_HEALTH;
    this.records.set(outcome.deploymentId, applyOutcome(current, outcome, now, rules));
  }

  async read(deploymentIds: readonly string[]): Promise<Map<string, HealthRecord>> {
    const found = new Map<string, HealthRecord>();
    for (const id of deploymentIds) {
      const record = this.records.get(id);
      if (record) found.set(id, record);
    }
    return found;
  }

  async claimProbe(deploymentId: string, now: number, ttlMs: number): Promise<boolean> {
    if ((this.probes.get(deploymentId) ?? 0) > now) return false;
    this.probes.set(deploymentId, now + ttlMs);
    return true;
  }
}
