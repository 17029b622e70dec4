import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { Deployment, DeploymentOutcome, SkippedDeployment } from '@polymux/contracts';

import type { DeploymentHealth, HealthRules } from './deployment-health';
import { healthAt } from './deployment-health';
import type { HealthStore } from './health.store';
import { HEALTH_STORE } from './health.store';

/** Health by deployment id; a deployment missing from it has no record (treated as healthy). */
export type HealthSnapshot = ReadonlyMap<string, DeploymentHealth>;

/** Candidates in the order to try them, and those moved behind the healthy ones, with why. */
export interface Arranged {
  candidates: Deployment[];
  skipped: SkippedDeployment[];
}

/**
 * Deployment health for routing: records the executor's outcome events and reads them back for a
 * plan. Health never refuses a call: an open or cooling deployment moves behind the healthy ones
 * (tried only when they all failed), and a half-open one keeps its place for the one call that
 * claims its probe. When the store cannot be read, every deployment counts as healthy.
 */
@Injectable()
export class HealthService {
  private readonly logger = new Logger('HealthService');
  private readonly rules: HealthRules;

  constructor(
    @Inject(HEALTH_STORE) private readonly store: HealthStore,
    @Inject(CONFIG) config: PolymuxConfig,
  ) {
    this.rules = config.health;
  }

  record(outcome: DeploymentOutcome): Promise<void> {
    return this.store.record(outcome, Date.now(), this.rules);
  }

  /** A batch in the order its calls ended (each deployment's records apply in that order; Redis pipelines them). */
  async recordAll(outcomes: readonly DeploymentOutcome[]): Promise<void> {
    const now = Date.now();
    await Promise.all(outcomes.map((outcome) => this.store.record(outcome, now, this.rules)));
  }

  /** The health of these deployments now: what strategies read to order by latency or error rate. */
  async snapshot(deploymentIds: readonly string[]): Promise<HealthSnapshot> {
    try {
      const records = await this.store.read(deploymentIds);
      const now = Date.now();
      return new Map([...records].map(([id, record]) => [id, healthAt(record, now)]));
    } catch (error) {
      this.logger.warn(`deployment health unreadable, routing without it: ${(error as Error).message}`);
      return new Map();
    }
  }

  /** Keeps the strategy's order among usable deployments; open and cooling ones follow, soonest available first. */
  async arrange(candidates: readonly Deployment[], snapshot: HealthSnapshot): Promise<Arranged> {
    const usable: Deployment[] = [];
    const later: Array<{ deployment: Deployment; availableAt: number }> = [];
    const skipped: SkippedDeployment[] = [];
    for (const deployment of candidates) {
      const health = snapshot.get(deployment.id);
      const reason = health && (await this.unusable(deployment.id, health));
      if (!health || !reason) {
        usable.push(deployment);
        continue;
      }
      later.push({ deployment, availableAt: health.availableAt ?? 0 });
      skipped.push({ deploymentId: deployment.id, reason });
    }
    later.sort((a, b) => a.availableAt - b.availableAt);
    return { candidates: [...usable, ...later.map((entry) => entry.deployment)], skipped };
  }

  private async unusable(id: string, health: DeploymentHealth): Promise<SkippedDeployment['reason'] | null> {
    if (health.cooling) return 'cooling';
    if (health.breaker === 'open') return 'open';
    if (health.breaker === 'closed') return null;
    // Half-open: this call is the probe if no other holds it (for as long as a breaker stays open).
    const claimed = await this.store.claimProbe(id, Date.now(), this.rules.breakerOpenMs).catch(() => true); // an unreachable store routes as if healthy
    return claimed ? null : 'open';
  }
}
