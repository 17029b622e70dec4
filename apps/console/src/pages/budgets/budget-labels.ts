import type { Budget, BudgetPeriod, BudgetScope } from '../../api/types';

export const SCOPE_LABELS: Record<BudgetScope, string> = {
  org: 'Organisation',
  team: 'Team',
  project: 'Project',
  key: 'API key',
  user: 'User',
};

export const PERIOD_LABELS: Record<BudgetPeriod, string> = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' };

/** Names of the org, its teams and projects by id; keys and users are shown by id. */
export type ScopeNames = ReadonlyMap<string, string>;

export const scopeLabel = (budget: Pick<Budget, 'scope' | 'scopeId'>, names: ScopeNames) =>
  `${SCOPE_LABELS[budget.scope]} ${names.get(budget.scopeId) ?? budget.scopeId.slice(0, 8)}`;

export const budgetLabel = (budget: Budget, names: ScopeNames) =>
  `${PERIOD_LABELS[budget.period]} budget of ${scopeLabel(budget, names)}`;

/** `"50, 80, 100"` → `[50, 80, 100]` (empty: no soft alerts), or null unless at most 10 distinct whole percents of 1–1000. */
export const thresholdsOf = (text: string): number[] | null => {
  const parts = text
    .split(/[\s,]+/)
    .map((part) => part.replace(/%$/, ''))
    .filter(Boolean);
  if (parts.length > 10 || !parts.every((part) => /^\d{1,4}$/.test(part))) return null;
  const values = parts.map(Number);
  if (values.some((value) => value < 1 || value > 1000) || new Set(values).size !== values.length) return null;
  return [...values].sort((a, b) => a - b);
};
