import { z } from 'zod';

import { Complexity, RequestSignals, TaskType } from '../canonical/task';
import { PlanRequest, SecondOpinion } from '../messages/plan.message';
import { AppliedBudgetPressure, QualityTier } from './routing-policy';

/** A routing decision without its reservation: what `POST /v1/routing/explain` asks the router. */
export const ExplainRequest = PlanRequest.omit({ accountId: true, reservationTtlSeconds: true });
export type ExplainRequest = z.infer<typeof ExplainRequest>;

/** One deployment the router considered, and why it was kept (with its score) or excluded. */
export const CandidateReport = z.object({
  deploymentId: z.string(),
  model: z.string(),
  provider: z.string(),
  kept: z.boolean(),
  /** The strategy's score, 0–1, higher first; kept candidates only. */
  score: z.number().optional(),
  reason: z.string(),
  /** Whether the provider keeps prompts and completions: the deployment's own word, else its provider's default. */
  retainsData: z.boolean().optional(),
  /** The catalog's typical output speed (tokens per second), a seed until the deployment is measured. */
  outputTokensPerSecond: z.number().optional(),
  /** The deployment's measured output speed: a moving average over its successful streamed calls. */
  measuredOutputTokensPerSecond: z.number().optional(),
});
export type CandidateReport = z.infer<typeof CandidateReport>;

/** How a plan was decided: the same routing as the call, without a reservation or a provider call. */
export const RoutingExplanation = z.object({
  task: TaskType,
  complexity: Complexity,
  confidence: z.number(),
  language: z.string().optional(),
  /** The prompt's tokens as the classifier counted them (`Classification.inputTokens`). */
  inputTokens: z.number().int().nonnegative().optional(),
  signals: RequestSignals,
  resolvedFrom: z.enum(['model', 'alias', 'auto']),
  strategy: z.string(),
  /** The least quality tier `auto` required for this task and complexity. */
  tier: QualityTier.optional(),
  /** The budget whose spend made the policy's budget-pressure downgrade apply. */
  budgetPressure: AppliedBudgetPressure.optional(),
  /** Kept candidates first, in the order they would be tried, then the excluded ones. */
  candidates: z.array(CandidateReport),
  /** The model and deployment tried first. */
  model: z.string(),
  deploymentId: z.string(),
  /** The deployments tried next, in order, on a retryable failure. */
  fallbacks: z.array(z.object({ model: z.string(), deploymentId: z.string() })),
  /** `not-asked` when a call would ask the configured second opinion (an explanation calls no provider). */
  secondOpinion: SecondOpinion.optional(),
});
export type RoutingExplanation = z.infer<typeof RoutingExplanation>;
