import type { AppliedBudgetPressure, BudgetUse, RoutingPolicy, RoutingStrategy } from '@polymux/contracts';

/** Percent of `amount` that `spent` is, to two decimals (rounded down); a ratio, not money. */
const percentOf = (spent: bigint, amount: bigint): number =>
  amount > 0n ? Number((spent * 10_000n) / amount) / 100 : 0;

/**
 * The most spent of the budgets a call counts against, when it reached the policy's
 * budget-pressure threshold; undefined without the option, without budgets, or below it.
 */
export const pressureOf = (
  policy: RoutingPolicy | undefined,
  budgets: ReadonlyArray<Pick<BudgetUse, 'budgetId' | 'scope' | 'amount' | 'spent'>> | undefined,
): AppliedBudgetPressure | undefined => {
  const option = policy?.budgetPressure;
  if (!option || !budgets) return undefined;
  let most: AppliedBudgetPressure | undefined;
  for (const budget of budgets) {
    const usedPercent = percentOf(BigInt(budget.spent), BigInt(budget.amount));
    if (!most || usedPercent > most.usedPercent)
      most = { budgetId: budget.budgetId, scope: budget.scope, usedPercent, atPercent: option.atPercent };
  }
  return most && most.usedPercent >= option.atPercent ? most : undefined;
};

/** The strategy under pressure: the option's, else cheapest first. */
export const pressureStrategy = (policy: RoutingPolicy): RoutingStrategy =>
  policy.budgetPressure?.strategy ?? { type: 'cheapest-capable' };

/** What `x-polymux-route` and reasons say of it: `key budget 85% spent`. */
export const describePressure = (pressure: AppliedBudgetPressure): string =>
  `${pressure.scope} budget ${pressure.usedPercent}% spent`;
