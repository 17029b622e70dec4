import { BudgetPeriod, BudgetScope, BudgetThresholds, TimeZone } from '@polymux/contracts';
import { z } from 'zod';

import { PAGE_FIELDS } from '../pagination';

const usd = z.string().regex(/^\d+(\.\d{1,9})?$/, 'a USD amount such as "100.00"');

/** `POST /admin/v1/budgets`. Thresholds are percentages of `amountUsd`; without `hardLimitUsd` nothing is refused. */
export const CreateBudget = z.strictObject({
  scope: BudgetScope,
  scopeId: z.string().min(1).max(64),
  period: BudgetPeriod,
  timezone: TimeZone.default('UTC'),
  amountUsd: usd,
  hardLimitUsd: usd.nullable().default(null),
  thresholds: BudgetThresholds.default([50, 80, 100]),
});

/** `PATCH /admin/v1/budgets/:id`: scope, period and zone stay (delete and create another budget to change them). */
export const UpdateBudget = z
  .strictObject({
    amountUsd: usd.optional(),
    hardLimitUsd: usd.nullable().optional(),
    thresholds: BudgetThresholds.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, {
    message: 'name at least one of amountUsd, hardLimitUsd, thresholds',
  });

/** `GET /admin/v1/budgets?orgId=…[&scope=…&scopeId=…]`. */
export const BudgetListParams = z.object({
  ...PAGE_FIELDS,
  orgId: z.string().min(1).max(64),
  scope: BudgetScope.optional(),
  scopeId: z.string().min(1).max(64).optional(),
});
