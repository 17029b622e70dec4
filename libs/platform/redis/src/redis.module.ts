import type { DynamicModule, OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Module, Optional } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { Redis } from 'ioredis';

/**
 * The shared-counter store: an ioredis client in the distributed mode, `null` in the embedded mode,
 * where services keep the same counters in process memory.
 */
export const REDIS = Symbol('polymux.redis');

export const createRedis = (config: PolymuxConfig['counters']): Redis | null =>
  config.kind === 'redis'
    ? new Redis(config.redisUrl, { keyPrefix: config.keyPrefix, maxRetriesPerRequest: 2, enableAutoPipelining: true })
    : null;

@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS) private readonly redis: Redis | null) {}

  static forRoot(): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS, inject: [CONFIG], useFactory: (config: PolymuxConfig) => createRedis(config.counters) },
      ],
      exports: [REDIS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit();
  }
}
