import { Module } from '@nestjs/common';
import { DatabaseModule } from '@polymux/database';
import type { Redis } from '@polymux/redis';
import { REDIS, RedisModule } from '@polymux/redis';

import { BillingHandler } from './billing.handler';
import { BillingClock } from './budgets/billing-clock';
import { BudgetAdmin } from './budgets/budget-admin.service';
import { BudgetAlerts } from './budgets/budget-alerts.service';
import { BudgetDefinitions } from './budgets/budget-definitions';
import { BudgetHandler } from './budgets/budget.handler';
import { BudgetRepository } from './budgets/budget.repository';
import { BudgetsService } from './budgets/budgets.service';
import { CreditOperations } from './credit-operations.service';
import { CreditsService } from './credits.service';
import { GrantExpiry } from './grant-expiry.service';
import { GrantsRepository } from './ledger/grants.repository';
import { LedgerApplier } from './ledger/ledger-applier';
import { LedgerRepository } from './ledger/ledger.repository';
import { OverrunReporter } from './overrun-reporter.service';
import { PlanAdmin } from './plans/plan-admin.service';
import { PlanHandler } from './plans/plan.handler';
import { PlanRepository } from './plans/plan.repository';
import { PlansService } from './plans/plans.service';
import { ReservationSweeper } from './reservation-sweeper.service';
import { ReservationsService } from './reservations.service';
import { SettlementLag } from './settlement-lag.service';
import { BILLING_DB } from './schema/db';
import { StatementHandler } from './statements/statement.handler';
import { StatementRepository } from './statements/statement.repository';
import { Statements } from './statements/statements.service';
import { billingMigrations } from './schema/migrations';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';
import type { BudgetStore } from './store/budget.store';
import { BUDGET_STORE } from './store/budget.store';
import { MemoryBalanceStore } from './store/memory-balance.store';
import { MemoryBudgetStore } from './store/memory-budget.store';
import { RedisBalanceStore } from './store/redis-balance.store';
import { RedisBudgetStore } from './store/redis-budget.store';
import { UsageHandler } from './usage.handler';
import { UsageReportHandler } from './usage/usage-report.handler';
import { UsageReports } from './usage/usage-reports.service';
import { UsageRepository } from './usage/usage.repository';
import { WebhookAdmin } from './webhooks/webhook-admin.service';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.service';
import { WebhookSecrets } from './webhooks/webhook-secrets';
import { WebhookSender } from './webhooks/webhook-sender';
import { WebhookHandler } from './webhooks/webhook.handler';
import { WebhookRepository } from './webhooks/webhook.repository';

/**
 * Prepaid credits, budgets and plans: reservations on the call path (Redis or memory), a double-entry
 * ledger, budget definitions and period spend, and a usage row per charged call, in Postgres; budget
 * alerts delivered as signed webhooks.
 */
@Module({
  imports: [
    DatabaseModule.forService({ schema: 'billing', migrations: billingMigrations, token: BILLING_DB }),
    RedisModule.forRoot(),
  ],
  controllers: [
    BillingHandler,
    UsageHandler,
    BudgetHandler,
    PlanHandler,
    WebhookHandler,
    UsageReportHandler,
    StatementHandler,
  ],
  providers: [
    {
      provide: BALANCE_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null): BalanceStore =>
        redis ? new RedisBalanceStore(redis) : new MemoryBalanceStore(),
    },
    {
      provide: BUDGET_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null): BudgetStore => (redis ? new RedisBudgetStore(redis) : new MemoryBudgetStore()),
    },
    LedgerRepository,
    LedgerApplier,
    GrantsRepository,
    BillingClock,
    BudgetRepository,
    BudgetDefinitions,
    BudgetsService,
    BudgetAlerts,
    BudgetAdmin,
    PlanRepository,
    PlansService,
    PlanAdmin,
    CreditsService,
    CreditOperations,
    GrantExpiry,
    OverrunReporter,
    ReservationsService,
    SettlementLag,
    ReservationSweeper,
    UsageRepository,
    UsageReports,
    StatementRepository,
    Statements,
    WebhookRepository,
    WebhookSecrets,
    WebhookSender,
    WebhookDispatcher,
    WebhookAdmin,
  ],
})
export class BillingModule {}
