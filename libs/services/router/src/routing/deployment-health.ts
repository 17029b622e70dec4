/**
 * What routing knows of a deployment's live state. The router plans without it (`NO_HEALTH`); a
 * health source (breakers, cooldowns, latency averages: the router's `HealthService` snapshot of a plan) feeds it.
 */
export interface DeploymentHealth {
  /** False while a deployment should not be tried first (breaker open, cooling down after a 429). */
  available(deploymentId: string): boolean;
  /** The deployment's recent latency in milliseconds (a moving average), undefined when unmeasured. */
  latencyMs(deploymentId: string): number | undefined;
  /** The deployment's recent output speed in tokens per second (a moving average), undefined when unmeasured. */
  outputTokensPerSecond(deploymentId: string): number | undefined;
}

/** Every deployment available, none measured: the catalog alone decides. */
export const NO_HEALTH: DeploymentHealth = {
  available: () => true,
  latencyMs: () => undefined,
  outputTokensPerSecond: () => undefined,
};
