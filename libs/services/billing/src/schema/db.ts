import type { BudgetRevisionsTable, BudgetSpendTable, BudgetsTable } from './tables/budgets.table';
import type { EntriesTable } from './tables/entries.table';
import type { GrantsTable } from './tables/grants.table';
import type { TransactionsTable } from './tables/transactions.table';

/** The `billing` schema: billing's own tables, read by no other service. */
export interface DB {
  transactions: TransactionsTable;
  entries: EntriesTable;
  grants: GrantsTable;
  budgets: BudgetsTable;
  budget_revisions: BudgetRevisionsTable;
  budget_spend: BudgetSpendTable;
}

/** Injection token of billing's Kysely handle on its schema. */
export const BILLING_DB = Symbol('polymux.billing.db');
