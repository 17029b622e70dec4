import type { StoredBudget } from './budget.repository';

/**
 * The soft thresholds (percent of the budget's amount) a period spend has reached, lowest first,
 * compared in integers: `spent × 100 ≥ amount × percent`.
 */
export const reachedThresholds = (budget: Pick<StoredBudget, 'amount' | 'thresholds'>, spent: bigint): number[] => {
  const amount = BigInt(budget.amount);
  return [...budget.thresholds].sort((a, b) => a - b).filter((percent) => spent * 100n >= amount * BigInt(percent));
};

/** The delivery id of one alert: one per budget, period and threshold. */
export const alertId = (budgetId: string, periodStartMs: number, percent: number): string =>
  `${budgetId}:${periodStartMs}:${percent}`;
