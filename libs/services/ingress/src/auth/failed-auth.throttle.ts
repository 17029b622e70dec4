import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import type { RateLimitStore } from '../rate-limits/rate-limit.store';
import { RATE_LIMIT_STORE } from '../rate-limits/rate-limit.store';

const logger = new Logger('FailedAuthThrottle');

/**
 * Failed key checks per source address, in fixed windows shared by every replica (the rate-limit
 * store): past `failedAuth.limit` in a window, the address gets 429 before any key is looked up.
 * Only the address is counted, never the key it presented.
 */
@Injectable()
export class FailedAuthThrottle {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Inject(CONFIG) private readonly config: PolymuxConfig,
  ) {}

  async check(address: string): Promise<void> {
    const { limit, windowSeconds } = this.config.failedAuth;
    const nowMs = Date.now();
    const windowMs = windowSeconds * 1_000;
    // Fails open: an unreachable store throttles nobody (a call's own rate limits fail closed).
    const failures = await this.store.failedAuths(address, nowMs, windowMs).catch((error: unknown) => {
      logger.warn(`failed authentications not checked: ${(error as Error).message}`);
      return 0;
    });
    if (failures < limit) return;
    throw new PolymuxException(
      ErrorCode.RateLimited,
      'Too many requests with an incorrect API key from this address. Try again later.',
      { retryAfterSeconds: Math.max(1, Math.ceil((windowMs - (nowMs % windowMs)) / 1_000)) },
    );
  }

  async failed(address: string): Promise<void> {
    const { windowSeconds } = this.config.failedAuth;
    await this.store
      .recordFailedAuth(address, Date.now(), windowSeconds * 1_000)
      .catch((error: unknown) => logger.warn(`failed authentication not counted: ${(error as Error).message}`));
  }
}
