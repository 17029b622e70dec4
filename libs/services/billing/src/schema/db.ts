import type { BudgetRevisionsTable, BudgetSpendTable, BudgetsTable } from './tables/budgets.table';
import type { EntriesTable } from './tables/entries.table';
import type { GrantsTable } from './tables/grants.table';
import type { OrgPlansTable, PlanChargesTable, PlanUsageTable } from './tables/plans.table';
import type { TransactionsTable } from './tables/transactions.table';
import type { UsageTable } from './tables/usage.table';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from './tables/webhooks.table';

/** The `billing` schema: billing's own tables, read by no other service. */
export interface DB {
  transactions: TransactionsTable;
  entries: EntriesTable;
  grants: GrantsTable;
  budgets: BudgetsTable;
  budget_revisions: BudgetRevisionsTable;
  budget_spend: BudgetSpendTable;
  org_plans: OrgPlansTable;
  plan_usage: PlanUsageTable;
  plan_charges: PlanChargesTable;
  usage: UsageTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** Injection token of billing's Kysely handle on its schema. */
export const BILLING_DB = Symbol('polymux.billing.db');
