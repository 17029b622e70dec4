import { z } from 'zod';

import { Money } from './money';

/**
 * What a budget is attached to. A call counts against the budgets of its org, team, project and
 * key (`CallScopes`), and of its key's user for a personal key.
 */
export const BudgetScope = z.enum(['org', 'team', 'project', 'key', 'user']);
export type BudgetScope = z.infer<typeof BudgetScope>;

/** Calendar periods, aligned to the budget's time zone: a day from midnight, an ISO week from Monday, a month from the 1st. */
export const BudgetPeriod = z.enum(['daily', 'weekly', 'monthly']);
export type BudgetPeriod = z.infer<typeof BudgetPeriod>;

/** Whether the runtime knows the IANA zone (`Europe/Berlin`, `UTC`); its canonical name, or undefined. */
export const canonicalTimeZone = (zone: string): string | undefined => {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
};

export const TimeZone = z
  .string()
  .max(64)
  .refine((zone) => canonicalTimeZone(zone) !== undefined, {
    message: 'must be an IANA time zone such as "UTC" or "Europe/Berlin"',
  });

/** Soft thresholds in percent of the budget's amount, each alerted once per period. */
export const BudgetThresholds = z
  .array(z.number().int().min(1).max(1000))
  .max(10)
  .refine((thresholds) => new Set(thresholds).size === thresholds.length, { message: 'must not repeat a threshold' });

/** The ids a call's budgets are found by. */
export const CallScopes = z.object({
  orgId: z.string(),
  teamId: z.string().nullable(),
  projectId: z.string(),
  keyId: z.string(),
  /** The user of a personal key; absent or null for a service key. */
  userId: z.string().nullable().optional(),
});
export type CallScopes = z.infer<typeof CallScopes>;

/** A budget as billing stores it. Money in integer nano-USD. */
export const BudgetSpec = z.object({
  orgId: z.string().min(1),
  scope: BudgetScope,
  scopeId: z.string().min(1),
  period: BudgetPeriod,
  timezone: TimeZone,
  /** What the period may spend: the thresholds are percentages of it. */
  amount: Money,
  /** Calls are refused before they start once their maximum cost would take spend and holds past it; null: never. */
  hardLimit: Money.nullable(),
  thresholds: BudgetThresholds,
});
export type BudgetSpec = z.infer<typeof BudgetSpec>;

/** Where a budget stands in its current period. */
export const BudgetState = z.object({
  periodStart: z.string(),
  periodEnd: z.string(),
  /** Settled in this period. */
  spent: Money,
  /** Held by calls in flight. */
  held: Money,
  /** The highest threshold alerted in this period, 0 for none. */
  alertedPercent: z.number().int().nonnegative(),
});
export type BudgetState = z.infer<typeof BudgetState>;

export const Budget = BudgetSpec.extend({
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  state: BudgetState,
});
export type Budget = z.infer<typeof Budget>;

export const CreateBudgetRequest = BudgetSpec;
export const UpdateBudgetRequest = z.object({
  budgetId: z.string(),
  changes: BudgetSpec.pick({ amount: true, hardLimit: true, thresholds: true }).partial(),
});
export const DeleteBudgetRequest = z.object({ budgetId: z.string() });

/** Budgets by id, by org (optionally one scope of it), or those a call counts against. */
export const BudgetQuery = z.union([
  z.object({ budgetId: z.string() }),
  z.object({ orgId: z.string(), scope: BudgetScope.optional(), scopeId: z.string().optional() }),
  z.object({ call: CallScopes }),
]);
export type BudgetQuery = z.infer<typeof BudgetQuery>;
export const BudgetList = z.object({ budgets: z.array(Budget) });
export const BudgetAnswer = z.object({ budget: Budget });

/** A budget a reservation counted against, as the router weighs it for budget pressure. */
export const BudgetUse = z.object({
  budgetId: z.string(),
  scope: BudgetScope,
  amount: Money,
  /** Settled in the current period before this call. */
  spent: Money,
});
export type BudgetUse = z.infer<typeof BudgetUse>;

/**
 * A budget's period spend reached one of its soft thresholds. Published once per budget, period and
 * threshold; `id` (`<budget>:<period start ms>:<percent>`) is the delivery id a consumer de-duplicates
 * by. Metadata only.
 */
export const BudgetThresholdCrossed = z.object({
  id: z.string(),
  budgetId: z.string(),
  orgId: z.string(),
  scope: BudgetScope,
  scopeId: z.string(),
  period: BudgetPeriod,
  timezone: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  thresholdPercent: z.number().int().positive(),
  amount: Money,
  hardLimit: Money.nullable(),
  spent: Money,
  /** The call whose settlement crossed it. */
  requestId: z.string(),
  occurredAt: z.string(),
});
export type BudgetThresholdCrossed = z.infer<typeof BudgetThresholdCrossed>;
