import type { PolymuxConfig } from '@polymux/config';
import type { ApiKeyRecord } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';

import { FailedAuthThrottle } from '../auth/failed-auth.throttle';
import { key as fixtureKey } from '../call/testing/call-fixtures';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { RateLimitStore } from './rate-limit.store';
import { RateLimiter } from './rate-limiter';

const config = {
  billing: { reservationTtlSeconds: 900 },
  failedAuth: { limit: 2, windowSeconds: 60 },
} as PolymuxConfig;
const limitedKey = (rateLimits: ApiKeyRecord['rateLimits']): ApiKeyRecord => ({ ...fixtureKey, rateLimits });
const unreachable = (): RateLimitStore => {
  const fail = () => Promise.reject(new Error('ECONNREFUSED'));
  return { admit: fail, end: fail, failedAuths: fail, recordFailedAuth: fail };
};

describe('RateLimiter', () => {
  it('asks no store for a key nothing limits', async () => {
    const store = unreachable();
    const admit = jest.spyOn(store, 'admit');
    expect(await new RateLimiter(store, config).admit(fixtureKey, 'r1', 10, () => undefined)).toBeUndefined();
    expect(admit).not.toHaveBeenCalled();
  });

  it('refuses a call past a concurrency limit with retry-after 1, and frees the slot once however often it is ended', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitStore(), config);
    const key = limitedKey([{ scope: 'project', scopeId: 'p1', maxConcurrent: 1 }]);
    const ticket = await limiter.admit(key, 'r1', 10, () => undefined);
    await expect(limiter.admit(key, 'r2', 10, () => undefined)).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      message: expect.stringMatching(/concurrent requests on project p1: limit 1/),
      details: { retryAfterSeconds: 1 },
    });
    await ticket!.end(10);
    await ticket!.end(0);
    expect(await limiter.admit(key, 'r3', 10, () => undefined)).toBeDefined();
    await expect(limiter.admit(key, 'r4', 10, () => undefined)).rejects.toMatchObject({ code: ErrorCode.RateLimited });
  });

  it('sets the headers on an admitted call', async () => {
    const headers: Record<string, string> = {};
    const limiter = new RateLimiter(new MemoryRateLimitStore(), config);
    await limiter.admit(limitedKey([{ scope: 'key', scopeId: 'k', rpm: 5 }]), 'r1', 10, (name, value) => {
      headers[name] = value;
    });
    expect(headers).toMatchObject({ 'x-ratelimit-limit-requests': '5', 'x-ratelimit-remaining-requests': '4' });
  });

  it('fails closed: a store it cannot reach refuses the call as service_unavailable', async () => {
    const limiter = new RateLimiter(unreachable(), config);
    await expect(
      limiter.admit(limitedKey([{ scope: 'key', scopeId: 'k', rpm: 5 }]), 'r1', 10, () => undefined),
    ).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
  });
});

describe('FailedAuthThrottle', () => {
  it('refuses an address past the limit with retry-after, and no other address', async () => {
    const throttle = new FailedAuthThrottle(new MemoryRateLimitStore(), config);
    await throttle.failed('203.0.113.1');
    await throttle.check('203.0.113.1');
    await throttle.failed('203.0.113.1');
    await expect(throttle.check('203.0.113.1')).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
      details: { retryAfterSeconds: expect.any(Number) },
    });
    await expect(throttle.check('203.0.113.2')).resolves.toBeUndefined();
  });

  it('fails open: a store it cannot reach throttles nobody', async () => {
    const throttle = new FailedAuthThrottle(unreachable(), config);
    await throttle.failed('203.0.113.1');
    await expect(throttle.check('203.0.113.1')).resolves.toBeUndefined();
  });
});
