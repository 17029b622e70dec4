import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';

import { SettlementLag } from './settlement-lag.service';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';
import type { BudgetStore } from './store/budget.store';
import { BUDGET_STORE } from './store/budget.store';

const SWEEP_INTERVAL_MS = 1_000;
const SWEEP_BATCH = 500;

/**
 * Frees holds whose calls never settled nor released them (a replica died, a caller vanished),
 * but never one whose usage may still be waiting to settle: only holds expired before the oldest
 * unsettled usage event. While Postgres is down, settlement stops, and so does freeing.
 */
@Injectable()
export class ReservationSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Billing');
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(BALANCE_STORE) private readonly store: BalanceStore,
    @Inject(BUDGET_STORE) private readonly budgets: BudgetStore,
    private readonly lag: SettlementLag,
  ) {}

  onApplicationBootstrap(): void {
    // The first reading waits a tick: the usage consumer is created when the bus starts listening.
    this.lag.start();
    this.timer = setInterval(() => void this.tick(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Refreshes the settlement lag, then frees what it allows; answers how many holds it freed. */
  async tick(): Promise<number> {
    try {
      await this.lag.refresh();
    } catch (error) {
      this.logger.warn(`settlement backlog unreadable, the last reading stands: ${(error as Error).message}`);
    }
    return this.sweep(Math.min(Date.now(), this.lag.freeableUpToMs()));
  }

  /** Frees every balance and budget hold expired by `upToMs`; answers how many. */
  async sweep(upToMs: number): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let total = 0;
    try {
      for (const store of [this.store, this.budgets]) {
        for (;;) {
          const released = await store.releaseExpired(upToMs, SWEEP_BATCH);
          total += released;
          if (released < SWEEP_BATCH) break;
        }
      }
      return total;
    } catch (error) {
      this.logger.warn(`reservation sweep failed: ${(error as Error).message}`);
      return total;
    } finally {
      this.sweeping = false;
    }
  }
}
