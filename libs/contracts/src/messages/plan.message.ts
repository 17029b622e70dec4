import { z } from 'zod';

import { CallTask, Complexity, RequestSignals, TaskType } from '../canonical/task';
import { AppliedBudgetPressure, RoutingPolicy } from '../routing/routing-policy';
import { Reservation } from './billing.message';
import { CallScopes } from './budget.message';
import { Money } from './money';

/**
 * A deployment's list prices in nano-USD. A price that is absent is the base one: cached reads and
 * cache writes cost as input, reasoning as output, images as input; no fee per request.
 */
const TokenPrices = {
  /** nano-USD per million input tokens. */
  inputPerMTok: Money,
  /** nano-USD per million output tokens. */
  outputPerMTok: Money,
  /** nano-USD per million input tokens read from the provider's prompt cache. */
  cachedInputPerMTok: Money.optional(),
  /** nano-USD per million input tokens written to the provider's prompt cache. */
  cacheWritePerMTok: Money.optional(),
  /** nano-USD per million reasoning tokens (which count among the output tokens). */
  reasoningPerMTok: Money.optional(),
  /** nano-USD per million image input tokens. */
  imageInputPerMTok: Money.optional(),
};

/**
 * Long-context prices: a call whose input (cached and written tokens included) is above
 * `aboveInputTokens` is charged wholly at the tier's prices, as the providers bill it; an optional
 * price the tier does not name is the base pricing's. Ascending by threshold; the highest passed applies.
 */
export const PriceTier = z.object({
  aboveInputTokens: z.number().int().positive(),
  ...TokenPrices,
});
export type PriceTier = z.infer<typeof PriceTier>;

export const Pricing = z.object({
  ...TokenPrices,
  /** nano-USD per call, on top of its tokens. */
  perRequest: Money.optional(),
  tiers: z.array(PriceTier).optional(),
});
export type Pricing = z.infer<typeof Pricing>;

/**
 * One provider deployment of a model and what it costs. Where and how to call it (URL, credentials,
 * headers) is not part of any message: the executor reads it from its own catalog by `id`.
 */
export const Deployment = z.object({
  id: z.string(),
  /** Adapter family, e.g. `openai` for every OpenAI-compatible server. */
  provider: z.string(),
  model: z.string(),
  upstreamModel: z.string(),
  pricing: Pricing,
  contextWindow: z.number().int().positive(),
  /** 0 for an embeddings model, which produces no tokens. */
  maxOutputTokens: z.number().int().nonnegative(),
  /**
   * OpenAI-compatible deployments: the body field that carries the output limit. Reasoning models
   * (o-series, gpt-5) refuse `max_tokens` wherever they are served, many compatible servers know only
   * `max_tokens`; the catalog decides (the deployment's `maxTokensField`, else `max_completion_tokens`
   * for an OpenAI reasoning model). Absent, the adapter decides by host.
   */
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /**
   * The catalog's own word on whether the provider keeps prompts and completions (a zero-retention
   * agreement, or strictness); absent: the provider's documented default, which the router resolves
   * (`dataRetentionOf` in @polymux/providers).
   */
  retainsData: z.boolean().optional(),
  /** Share of the model's traffic (catalog `weight`); absent on every deployment of a model means catalog order. */
  weight: z.number().positive().optional(),
});
export type Deployment = z.infer<typeof Deployment>;

/** The longest text sample of a request that travels for classification (`intakeOf`). */
export const INTAKE_SAMPLE_CHARS = 2_001;

/** An image as the reservation bound sees it: its detail and, when known, its size. */
const ImageShape = z.object({
  detail: z.enum(['auto', 'low', 'high']).optional(),
  size: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
});

/**
 * What classification, routing and the reservation need to know about a request, computed once at
 * the edge (`intakeOf`): a bounded text sample and structural facts, never the body or its images.
 */
export const Intake = z.object({
  model: z.string(),
  sample: z.string().max(INTAKE_SAMPLE_CHARS),
  signals: RequestSignals,
  /** The prompt's model-independent token bound and its images (`promptShape`). */
  prompt: z.object({ tokens: z.number().int().nonnegative(), images: z.array(ImageShape) }),
  maxOutputTokens: z.number().int().positive().optional(),
  n: z.number().int().positive().optional(),
  /**
   * The inbound endpoint's kind; absent means `chat`. An `embeddings` intake is planned only onto
   * models with the `embeddings` capability, without classification (`embeddingIntakeOf`).
   */
  endpoint: z.enum(['chat', 'embeddings']).optional(),
  /** The vector size an embeddings call asks for, checked against the model's catalog entry. */
  dimensions: z.number().int().positive().optional(),
});
export type Intake = z.infer<typeof Intake>;

export const PlanRequest = z.object({
  intake: Intake,
  /** Models the key may use; null means any. */
  allowedModels: z.array(z.string()).nullable(),
  /** The key's routing policy, its levels merged (`mergePolicies`); absent means none. */
  policy: RoutingPolicy.optional(),
  /** The key's org, team, project and key: the budgets the reservation counts against. */
  scopes: CallScopes.optional(),
  /** Whose balance the router reserves the call's maximum cost on, and for how long. */
  accountId: z.string(),
  reservationTtlSeconds: z.number().int().positive(),
});
export type PlanRequest = z.infer<typeof PlanRequest>;

/** A deployment the router moved behind the healthy ones: its breaker is open, or it cools down after a 429. */
export const SkippedDeployment = z.object({ deploymentId: z.string(), reason: z.enum(['open', 'cooling']) });
export type SkippedDeployment = z.infer<typeof SkippedDeployment>;

/**
 * The optional second opinion of a configured cheap model on a prompt the classifier was unsure of
 * (docs/routing.md). `used`: the model answered a task type, which the plan follows; `invalid`: it
 * answered something else; `failed`: an error or no answer in time; `unavailable`: the model has no
 * usable deployment; `not-asked`: an explanation, which calls no provider, would have asked it. In
 * every case but `used` the classifier's own task stands. Ids and task names only, never text.
 */
export const SecondOpinion = z.object({
  model: z.string(),
  outcome: z.enum(['used', 'invalid', 'failed', 'unavailable', 'not-asked']),
  /** What the classifier itself said, kept or replaced. */
  classifierTask: TaskType,
});
export type SecondOpinion = z.infer<typeof SecondOpinion>;

export const Plan = z.object({
  task: CallTask,
  confidence: z.number(),
  /** The classifier's estimate (the edge's `signals.complexity` when it sent none); absent for embeddings. */
  complexity: Complexity.optional(),
  signals: RequestSignals,
  resolvedFrom: z.enum(['model', 'alias', 'auto']),
  /** Ordered: the first is tried first, the next on a retryable failure. */
  candidates: z.array(Deployment).min(1),
  /** The strategy that ordered the candidates (`cheapest-capable`, `ordered`, …), for `x-polymux-route`. */
  strategy: z.string().optional(),
  /** Deployments moved last for their health, in `x-polymux-route` too. */
  skipped: z.array(SkippedDeployment).optional(),
  /** The budget whose spend made the policy's budget-pressure downgrade order the candidates. */
  budgetPressure: AppliedBudgetPressure.optional(),
  /** Present when the classifier was unsure and a second opinion was configured, in `x-polymux-route` too. */
  secondOpinion: SecondOpinion.optional(),
  /** The hold on the caller's balance for the most the call can cost on any candidate. */
  reservation: Reservation,
});
export type Plan = z.infer<typeof Plan>;

export const ClassifyRequest = Intake.pick({ sample: true, signals: true });
export type ClassifyRequest = z.infer<typeof ClassifyRequest>;
