import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { ApiKeyRecord, ScopedRateLimits } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { rateLimitHeaders, resetDuration } from './rate-limit-headers';
import type { Admission, LimitKind, RateLimitStore } from './rate-limit.store';
import { RATE_LIMIT_STORE, WINDOW_MS } from './rate-limit.store';

/** An admitted call's hold on its scopes' limits. */
export interface RateLimitTicket {
  /**
   * The call ended having used `usedTokens` (0 when it failed): its bound corrected to them, its
   * slot freed. Only the first end counts; never rejects (a lost end is undone by the window's and
   * the lease's expiry).
   */
  end(usedTokens: number): Promise<void>;
}

const NAMES: Record<LimitKind, string> = {
  rpm: 'requests per minute',
  tpm: 'tokens per minute',
  maxConcurrent: 'concurrent requests',
};

const logger = new Logger('RateLimiter');

/**
 * The rate limits of a call's key, project, team and org (they travel with the key record), checked
 * and counted at once before the call is planned, so a refused call reserves and costs nothing.
 * TPM counts the call's token bound until it ends, then what it used; a concurrency slot is held
 * until it ends, or until the reservation TTL if its replica dies first.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(CONFIG) private readonly config: PolymuxConfig,
  ) {}

  /**
   * Admits a call of `tokens` at most, setting the `x-ratelimit-*` headers (through `header`) either
   * way; throws `rate_limited` with `retryAfterSeconds` when a scope refuses. Undefined: nothing limits the key.
   */
  async admit(
    key: ApiKeyRecord,
    callId: string,
    tokens: number,
    header: (name: string, value: string) => void,
  ): Promise<RateLimitTicket | undefined> {
    const limits = key.rateLimits;
    if (!limits || limits.length === 0) return undefined; // no round trip for a key nothing limits
    const nowMs = Date.now();
    const admission = await this.store
      .admit({
        orgId: key.orgId,
        callId,
        tokens,
        nowMs,
        leaseUntilMs: nowMs + this.config.billing.reservationTtlSeconds * 1_000,
        limits,
      })
      .catch((error: unknown) => {
        logger.error(`rate limits not checked for request ${callId}: ${(error as Error).message}`);
        throw new PolymuxException(ErrorCode.ServiceUnavailable, 'rate limits could not be checked; try again');
      });
    const resetMs = admission.windowStartMs + WINDOW_MS - nowMs;
    for (const [name, value] of Object.entries(rateLimitHeaders(limits, admission.use, resetMs))) header(name, value);
    if (!admission.admitted) throw this.refusal(limits, admission, resetMs);
    let ended: Promise<void> | undefined;
    const { windowStartMs } = admission;
    return {
      end: (usedTokens) =>
        (ended ??= this.store
          .end({ orgId: key.orgId, callId, windowStartMs, tokenDelta: usedTokens - tokens, limits })
          .catch((error: unknown) =>
            // The bound stays counted until the window ends, the slot until its lease does.
            logger.warn(`rate-limit end of request ${callId} not recorded: ${(error as Error).message}`),
          )),
    };
  }

  private refusal(
    limits: readonly ScopedRateLimits[],
    admission: Extract<Admission, { admitted: false }>,
    resetMs: number,
  ): PolymuxException {
    const scope = limits[admission.scope]!;
    const limit = scope[admission.limit]!;
    // A window's counts free up when it resets; a slot when some call ends, so soon.
    const waitMs = admission.limit === 'maxConcurrent' ? 1_000 : resetMs;
    const wait = admission.limit === 'maxConcurrent' ? 'when a call in flight ends' : `in ${resetDuration(resetMs)}`;
    return new PolymuxException(
      ErrorCode.RateLimited,
      `Rate limit reached for ${NAMES[admission.limit]} on ${scope.scope} ${scope.scopeId}: limit ${limit}. Try again ${wait}.`,
      { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1_000)) },
    );
  }
}
