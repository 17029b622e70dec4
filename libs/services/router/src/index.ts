export { RouterModule } from './router.module';
export type { Arranged, HealthSnapshot } from './health/health.service';
export { HealthService } from './health/health.service';
export type { BreakerState, DeploymentHealth } from './health/deployment-health';
// The routing decision itself, pure over one catalog: what the benchmark times and prices.
export type { Eligible, RouteRequest, Routed } from './routing/routing';
export { Routing } from './routing/routing';
export { NO_HEALTH } from './routing/deployment-health';
export { strongestTier, tierOf } from './routing/quality-tier';
export { strongestModel } from './routing/reference-model';
