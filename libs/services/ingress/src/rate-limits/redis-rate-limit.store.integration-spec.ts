import { randomUUID } from 'node:crypto';

import type { Command } from 'ioredis';
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

/** Redis Cluster's rule: a key's slot is hashed from its `{tag}` (first `{`, next `}`, not empty), else the whole key. */
const hashTagOf = (key: string): string => {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
};

describe('redis rate-limit store on Redis Cluster', () => {
  it('runs each admission and end on keys of one hash slot, the org’s', async () => {
    const scriptKeys: string[][] = [];
    const original = redis.sendCommand.bind(redis);
    const spy = jest.spyOn(redis, 'sendCommand').mockImplementation((command: Command, ...rest) => {
      if (command.name === 'evalsha' || command.name === 'eval') {
        const args = command.args.map(String);
        scriptKeys.push(args.slice(2, 2 + Number(args[1])));
      }
      return original(command, ...rest);
    });
    try {
      const store = new RedisRateLimitStore(redis);
      const orgId = `org-${randomUUID()}`;
      const limits = [
        { scope: 'org' as const, scopeId: 'o', rpm: 10 },
        { scope: 'project' as const, scopeId: 'p', tpm: 100 },
        { scope: 'key' as const, scopeId: 'k', maxConcurrent: 2 },
      ];
      const nowMs = Date.now();
      const admission = await store.admit({
        orgId,
        callId: 'c',
        tokens: 5,
        nowMs,
        leaseUntilMs: nowMs + 60_000,
        limits,
      });
      expect(admission.admitted).toBe(true);
      await store.end({ orgId, callId: 'c', windowStartMs: admission.windowStartMs, tokenDelta: -5, limits });
    } finally {
      spy.mockRestore();
    }
    expect(scriptKeys).toHaveLength(2);
    for (const keys of scriptKeys) {
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(keys.map(hashTagOf))).toEqual(new Set([expect.stringMatching(/^ratelimit:org-/)]));
    }
  });
});
