import type { Reasoning } from '@polymux/contracts';

export type ReasoningEffort = NonNullable<Reasoning['effort']>;

/**
 * A thinking budget (Anthropic's `budget_tokens`) read as OpenAI's `reasoning_effort`, for a request
 * that names a budget and no effort. The nearest effort, with these bounds:
 *
 * | budget tokens  | effort    |
 * |----------------|-----------|
 * | 0              | `none`    |
 * | 1 – 767        | `minimal` |
 * | 768 – 1535     | `low`     |
 * | 1536 – 3071    | `medium`  |
 * | 3072 and more  | `high`    |
 *
 * The bounds are the midpoints between the budgets LiteLLM and others give each effort (minimal
 * 512, low 1024, medium 2048, high 4096), so that an effort → budget → effort round trip is the
 * identity.
 */
const BUDGET_BOUNDS: ReadonlyArray<[maxBudget: number, effort: ReasoningEffort]> = [
  [0, 'none'],
  [767, 'minimal'],
  [1535, 'low'],
  [3071, 'medium'],
];

/** `reasoning_effort` for a canonical reasoning request: the effort as given, else the budget's nearest. */
export const reasoningEffortOf = (reasoning: Reasoning | undefined): ReasoningEffort | undefined => {
  if (reasoning?.effort) return reasoning.effort;
  const budget = reasoning?.budgetTokens;
  if (budget === undefined) return undefined;
  return BUDGET_BOUNDS.find(([maxBudget]) => budget <= maxBudget)?.[1] ?? 'high';
};
