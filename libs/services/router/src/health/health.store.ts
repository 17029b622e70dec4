import type { DeploymentOutcome } from '@polymux/contracts';

import type { HealthRecord, HealthRules } from './deployment-health';

export const HEALTH_STORE = Symbol('polymux.router.health-store');

/**
 * Where deployment health lives: Redis in the distributed mode, so every router replica reads
 * what any of them recorded, process memory in the embedded mode. Only I/O: the rules are
 * `applyOutcome`'s, which both stores apply atomically per deployment.
 */
export interface HealthStore {
  record(outcome: DeploymentOutcome, now: number, rules: HealthRules): Promise<void>;
  /** The records of the deployments that have one. */
  read(deploymentIds: readonly string[]): Promise<Map<string, HealthRecord>>;
  /** Claims a half-open deployment's one probe for `ttlMs`; false when another call holds it. */
  claimProbe(deploymentId: string, now: number, ttlMs: number): Promise<boolean>;
}

/** A record no outcome refreshed for this long is forgotten (a removed deployment, a quiet one). */
export const HEALTH_TTL_MS = 24 * 3_600_000;
