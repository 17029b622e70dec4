import { z } from 'zod';

import { ChatRequest } from '../canonical/chat';
import { RequestSignals, TaskType } from '../canonical/task';
import { Money } from './money';

export const Pricing = z.object({
  /** nano-USD per million input tokens. */
  inputPerMTok: Money,
  /** nano-USD per million output tokens. */
  outputPerMTok: Money,
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
  maxOutputTokens: z.number().int().positive(),
});
export type Deployment = z.infer<typeof Deployment>;

export const PlanRequest = z.object({
  request: ChatRequest,
  /** Models the key may use; null means any. */
  allowedModels: z.array(z.string()).nullable(),
});
export type PlanRequest = z.infer<typeof PlanRequest>;

export const Plan = z.object({
  task: TaskType,
  confidence: z.number(),
  signals: RequestSignals,
  resolvedFrom: z.enum(['model', 'alias', 'auto']),
  /** Ordered: the first is tried first, the next on a retryable failure. */
  candidates: z.array(Deployment).min(1),
});
export type Plan = z.infer<typeof Plan>;

export const ClassifyRequest = z.object({ request: ChatRequest });
