import { Module } from '@nestjs/common';
import { DatabaseModule } from '@polymux/database';
import type { Redis } from '@polymux/redis';
import { REDIS, RedisModule } from '@polymux/redis';

import { BillingHandler } from './billing.handler';
import { CreditsService } from './credits.service';
import { LedgerRepository } from './ledger/ledger.repository';
import { OverrunReporter } from './overrun-reporter.service';
import { ReservationSweeper } from './reservation-sweeper.service';
import { ReservationsService } from './reservations.service';
import { SettlementLag } from './settlement-lag.service';
import { BILLING_DB } from './schema/db';
import { billingMigrations } from './schema/migrations';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';
import { MemoryBalanceStore } from './store/memory-balance.store';
import { RedisBalanceStore } from './store/redis-balance.store';
import { UsageHandler } from './usage.handler';

/** Prepaid credits: reservations on the call path (Redis or memory), a double-entry ledger in Postgres. */
@Module({
  imports: [
    DatabaseModule.forService({ schema: 'billing', migrations: billingMigrations, token: BILLING_DB }),
    RedisModule.forRoot(),
  ],
  controllers: [BillingHandler, UsageHandler],
  providers: [
    {
      provide: BALANCE_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null): BalanceStore =>
        redis ? new RedisBalanceStore(redis) : new MemoryBalanceStore(),
    },
    LedgerRepository,
    CreditsService,
    OverrunReporter,
    ReservationsService,
    SettlementLag,
    ReservationSweeper,
  ],
})
export class BillingModule {}
