import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';

const SWEEP_INTERVAL_MS = 1_000;
const SWEEP_BATCH = 500;

/** Frees holds whose calls never settled nor released them (a replica died, a caller vanished). */
@Injectable()
export class ReservationSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Billing');
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(@Inject(BALANCE_STORE) private readonly store: BalanceStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Frees every hold expired by now; answers how many. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let total = 0;
    try {
      for (;;) {
        const released = await this.store.releaseExpired(Date.now(), SWEEP_BATCH);
        total += released;
        if (released < SWEEP_BATCH) return total;
      }
    } catch (error) {
      this.logger.warn(`reservation sweep failed: ${(error as Error).message}`);
      return total;
    } finally {
      this.sweeping = false;
    }
  }
}
