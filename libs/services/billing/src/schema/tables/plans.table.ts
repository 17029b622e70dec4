import type { PlanKind } from '@polymux/contracts';
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

import type { CreatedAt, Int8 } from '../columns';

/** One change of an org's plan, never updated: in force from `effective_from` until the next one's. */
export interface OrgPlansTable {
  id: Generated<string>;
  org_id: string;
  plan: PlanKind;
  /** The plan's settings as `PlanSpec` validates them (nano-USD, basis points). */
  settings: JSONColumnType<Record<string, unknown>>;
  effective_from: Date;
  created_at: CreatedAt;
  changed_by: string | null;
  /** `PlanSpec` of the plan that would have been in force from `effective_from` without this change. */
  previous: JSONColumnType<Record<string, unknown>>;
}

/** A plan counter of one org and period: `quota` (tokens or calls a day), `list` (list spend a month, nano-USD). */
export interface PlanUsageTable {
  org_id: string;
  counter: string;
  period_start_ms: ColumnType<Int8, string, never>;
  used: ColumnType<Int8, string, string>;
}

/** A settled call's price under its plan. */
export interface PlanChargesTable {
  request_id: string;
  org_id: string;
  change_id: string | null;
  list_cost: ColumnType<Int8, string, never>;
  discount: ColumnType<Int8, string, never>;
  charged: ColumnType<Int8, string, never>;
  created_at: CreatedAt;
}
