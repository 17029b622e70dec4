import type { BudgetPeriod, BudgetScope } from '@polymux/contracts';
import type { ColumnType, Generated } from 'kysely';

import type { CreatedAt, Int8 } from '../columns';

/** A budget: what one scope may spend per calendar period, its hard limit and soft thresholds. */
export interface BudgetsTable {
  id: Generated<string>;
  org_id: string;
  scope: BudgetScope;
  scope_id: string;
  period: BudgetPeriod;
  /** IANA zone the period's calendar follows. */
  timezone: string;
  /** nano-USD; the thresholds are percentages of it. */
  amount: ColumnType<Int8, string, string>;
  /** nano-USD; null: never refuses. */
  hard_limit: ColumnType<Int8 | null, string | null, string | null>;
  thresholds: number[];
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

/** One row per org with budgets: incremented by every change of the org's budgets. */
export interface BudgetRevisionsTable {
  org_id: string;
  revision: ColumnType<Int8, string, string>;
}

/** A budget's settled spend in one period, in nano-USD. */
export interface BudgetSpendTable {
  budget_id: string;
  /** The period's first instant, epoch milliseconds. */
  period_start_ms: ColumnType<Int8, string, never>;
  spent: ColumnType<Int8, string, string>;
}
