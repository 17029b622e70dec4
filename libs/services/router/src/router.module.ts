import { Module } from '@nestjs/common';
import { CatalogModule } from '@polymux/catalog';
import type { Redis } from '@polymux/redis';
import { REDIS, RedisModule } from '@polymux/redis';

import { CatalogHandler } from './catalog.handler';
import { HealthHandler } from './health/health.handler';
import { HealthService } from './health/health.service';
import type { HealthStore } from './health/health.store';
import { CachedHealthStore } from './health/cached-health.store';
import { HEALTH_STORE } from './health/health.store';
import { MemoryHealthStore } from './health/memory-health.store';
import { RedisHealthStore } from './health/redis-health.store';
import { RouterHandler } from './router.handler';
import { RouterService } from './router.service';
import { SecondOpinionService } from './second-opinion/second-opinion.service';

@Module({
  imports: [CatalogModule, RedisModule.forRoot()],
  controllers: [RouterHandler, CatalogHandler, HealthHandler],
  providers: [
    {
      provide: HEALTH_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null): HealthStore =>
        redis ? new CachedHealthStore(new RedisHealthStore(redis)) : new MemoryHealthStore(),
    },
    HealthService,
    SecondOpinionService,
    RouterService,
  ],
})
export class RouterModule {}
