import type { Budget } from '@polymux/contracts';
import { nanoToUsd } from '@polymux/contracts';

/** Percent of `amount` that `spent` is, to two decimals (a ratio for people, not money). */
const percentOf = (spent: bigint, amount: bigint): number => Number((spent * 10_000n) / amount) / 100;

/** A budget as the admin API shows it: USD strings for people, nano-USD for programs. */
export const budgetView = (budget: Budget) => {
  const amount = BigInt(budget.amount);
  const spent = BigInt(budget.state.spent);
  const held = BigInt(budget.state.held);
  return {
    id: budget.id,
    orgId: budget.orgId,
    scope: budget.scope,
    scopeId: budget.scopeId,
    period: budget.period,
    timezone: budget.timezone,
    amountUsd: nanoToUsd(amount),
    hardLimitUsd: budget.hardLimit === null ? null : nanoToUsd(BigInt(budget.hardLimit)),
    thresholds: budget.thresholds,
    amountNanoUsd: budget.amount,
    hardLimitNanoUsd: budget.hardLimit,
    createdAt: budget.createdAt,
    updatedAt: budget.updatedAt,
    current: {
      periodStart: budget.state.periodStart,
      periodEnd: budget.state.periodEnd,
      spentUsd: nanoToUsd(spent),
      heldUsd: nanoToUsd(held),
      spentNanoUsd: budget.state.spent,
      heldNanoUsd: budget.state.held,
      usedPercent: percentOf(spent, amount),
      alertedPercent: budget.state.alertedPercent,
    },
  };
};
