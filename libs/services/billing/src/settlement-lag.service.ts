import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { ErrorCode, NatsNames, PolymuxException, Streams, Subjects } from '@polymux/contracts';
import type { Bus } from '@polymux/messaging';
import { BUS } from '@polymux/messaging';

import { USAGE_CONSUMER_GROUP } from './usage.handler';

/** Publish times come from the broker's clock, hold expiries from billing's: allow them this much apart. */
export const BROKER_CLOCK_MARGIN_MS = 1_000;
const RETRY_AFTER_SECONDS = 5;

/**
 * How far settlement is behind: the oldest usage event billing's consumer has not yet settled
 * (undelivered, in flight or failing, e.g. while Postgres is down), read from the bus, so every
 * replica sees the same. A hold may be freed only once every usage event published before it
 * expired is settled; and past a threshold, no new credits are held at all.
 */
@Injectable()
export class SettlementLag {
  private lagMs = 0;
  /** Until a first read succeeds nothing counts as settled: no hold can be freed. */
  private settledUpToMs = 0;
  private checkedAtMs = Date.now();

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(CONFIG) private readonly config: PolymuxConfig,
  ) {}

  /** Starts the clock: from now, a backlog that cannot be read counts as lag. */
  start(): void {
    this.checkedAtMs = Date.now();
  }

  /** Reads the usage consumer's backlog; on failure the last reading stands and ages. */
  async refresh(): Promise<void> {
    const startedAtMs = Date.now();
    const backlog = await this.bus.durableBacklog(
      Streams.usage,
      NatsNames.consumer(USAGE_CONSUMER_GROUP, Subjects.usageRecorded.subject),
    );
    const oldest = backlog.oldestPublishedAtMs;
    this.lagMs = oldest === null ? 0 : Math.max(0, startedAtMs - oldest);
    this.settledUpToMs = (oldest ?? startedAtMs) - BROKER_CLOCK_MARGIN_MS;
    this.checkedAtMs = startedAtMs;
  }

  /** Holds that expired at or before this may be freed: no usage event published before it is unsettled. */
  freeableUpToMs(): number {
    return this.settledUpToMs;
  }

  /** How far behind settlement is now, at least; a reading that cannot be refreshed counts as lag. */
  behindMs(nowMs = Date.now()): number {
    return this.lagMs + Math.max(0, nowMs - this.checkedAtMs);
  }

  /** Refuses to hold credits while settlement lags past `POLYMUX_SETTLEMENT_LAG_MAX_MS`. */
  assertCurrent(): void {
    const behind = this.behindMs();
    if (behind <= this.config.billing.settlementLagMaxMs) return;
    throw new PolymuxException(
      ErrorCode.ServiceUnavailable,
      `billing is ${Math.ceil(behind / 1000)} s behind settling calls and holds no new credits until it catches up`,
      { retryAfterSeconds: RETRY_AFTER_SECONDS },
    );
  }
}
