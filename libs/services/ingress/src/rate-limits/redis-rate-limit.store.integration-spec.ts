import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';

import { describeRateLimitStore } from './rate-limit-store.contract';
import { RedisRateLimitStore } from './redis-rate-limit.store';

const prefix = `test:rate-limit-store:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
  await redis.quit();
});

describeRateLimitStore('redis', () => new RedisRateLimitStore(redis));
