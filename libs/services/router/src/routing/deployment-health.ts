/**
 * What routing knows of a deployment's live state. The router plans without it (`NO_HEALTH`); a
 * health source (breakers, cooldowns, latency averages) is bound to `DEPLOYMENT_HEALTH` to be used.
 */
export interface DeploymentHealth {
  /** False while a deployment should not be tried first (breaker open, cooling down after a 429). */
  available(deploymentId: string): boolean;
  /** The deployment's recent latency in milliseconds (a moving average), undefined when unmeasured. */
  latencyMs(deploymentId: string): number | undefined;
}

export const DEPLOYMENT_HEALTH = Symbol('polymux.router.deployment-health');

/** Every deployment available, none measured: the catalog alone decides. */
export const NO_HEALTH: DeploymentHealth = { available: () => true, latencyMs: () => undefined };
