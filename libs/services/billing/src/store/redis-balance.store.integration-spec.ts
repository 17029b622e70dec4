import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';

import { describeBalanceStore } from './balance-store.contract';
import { RedisBalanceStore } from './redis-balance.store';

const prefix = `test:billing-store:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });

describeBalanceStore(
  'redis',
  () => new RedisBalanceStore(redis),
  async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
    await redis.quit();
  },
);
