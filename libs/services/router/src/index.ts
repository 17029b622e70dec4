export { RouterModule } from './router.module';
export type { Arranged, HealthSnapshot } from './health/health.service';
export { HealthService } from './health/health.service';
export type { BreakerState, DeploymentHealth } from './health/deployment-health';
