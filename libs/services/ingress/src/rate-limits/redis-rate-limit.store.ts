import type { Redis } from 'ioredis';

import { defineRateLimitScripts } from './redis-rate-limit-scripts';
import type { Admission, AdmitRequest, EndRequest, LimitKind, RateLimitStore, ScopeUse } from './rate-limit.store';
import { WINDOW_MS, windowStartOf } from './rate-limit.store';

const REFUSALS: readonly (LimitKind | undefined)[] = [undefined, 'rpm', 'tpm', 'maxConcurrent'];

/**
 * Ingress's rate-limit keys (after `REDIS_KEY_PREFIX`). A call's scopes are all its org's, so every
 * key of one admission carries the hash tag `{ratelimit:<org>}` and the script runs on one Redis
 * Cluster slot.
 */
export const rateLimitKeys = (orgId: string, scope: string, scopeId: string) => {
  const base = `ingress:{ratelimit:${orgId}}:${scope}:${scopeId}`;
  return {
    /** Integer: requests admitted in the window starting at `windowStartMs` (expires at its end). */
    requests: (windowStartMs: number) => `${base}:rpm:${windowStartMs}`,
    /** Integer: tokens counted in that window (bounds at admission, corrected at the end). */
    tokens: (windowStartMs: number) => `${base}:tpm:${windowStartMs}`,
    /** Sorted set: call ids in flight scored by their lease's end (epoch ms). */
    inFlight: `${base}:inflight`,
  };
};

/** String with a TTL: failed key checks from one source address in a window. */
export const failedAuthKey = (address: string, windowStartMs: number) => `ingress:{auth:${address}}:${windowStartMs}`;

const limitArg = (limit: number | undefined) => (limit === undefined ? '' : String(limit));

/** The distributed store: one Lua script per admission and one per end, atomic across every ingress replica. */
export class RedisRateLimitStore implements RateLimitStore {
  constructor(private readonly redis: Redis) {
    defineRateLimitScripts(redis);
  }

  async admit(request: AdmitRequest): Promise<Admission> {
    const windowStartMs = windowStartOf(request.nowMs);
    const keys = request.limits.flatMap(({ scope, scopeId }) => {
      const scopeKeys = rateLimitKeys(request.orgId, scope, scopeId);
      return [scopeKeys.requests(windowStartMs), scopeKeys.tokens(windowStartMs), scopeKeys.inFlight];
    });
    const args = request.limits.flatMap((limits) => [
      limitArg(limits.rpm),
      limitArg(limits.tpm),
      limitArg(limits.maxConcurrent),
    ]);
    const [refused, scope, ...counts] = await this.redis.rateLimitAdmit(
      String(keys.length),
      ...keys,
      String(request.nowMs),
      String(windowStartMs + WINDOW_MS),
      request.callId,
      String(request.tokens),
      String(request.leaseUntilMs),
      ...args,
    );
    const use: ScopeUse[] = request.limits.map((_, index) => ({
      requests: counts[index * 3]!,
      tokens: counts[index * 3 + 1]!,
      inFlight: counts[index * 3 + 2]!,
    }));
    const limit = REFUSALS[refused!];
    return limit
      ? { admitted: false, windowStartMs, use, scope: scope!, limit }
      : { admitted: true, windowStartMs, use };
  }

  async end(request: EndRequest): Promise<void> {
    const keys = request.limits.flatMap(({ scope, scopeId }) => {
      const scopeKeys = rateLimitKeys(request.orgId, scope, scopeId);
      return [scopeKeys.tokens(request.windowStartMs), scopeKeys.inFlight];
    });
    await this.redis.rateLimitEnd(String(keys.length), ...keys, String(request.tokenDelta), request.callId);
  }

  async failedAuths(address: string, nowMs: number, windowMs: number): Promise<number> {
    return Number((await this.redis.get(failedAuthKey(address, nowMs - (nowMs % windowMs)))) ?? '0');
  }

  async recordFailedAuth(address: string, nowMs: number, windowMs: number): Promise<void> {
    const start = nowMs - (nowMs % windowMs);
    await this.redis.rateLimitFailedAuth(failedAuthKey(address, start), String(start + windowMs));
  }
}
