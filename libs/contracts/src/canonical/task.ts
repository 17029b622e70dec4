import { z } from 'zod';

export const TaskType = z.enum([
  'chat',
  'summarization',
  'code',
  'reasoning',
  'agent',
  'extraction',
  'creative',
  'translation',
  'vision',
]);
export type TaskType = z.infer<typeof TaskType>;

/**
 * What a call was planned and charged as: a chat task the classifier identified, or `embeddings`,
 * which is never classified (the endpoint says it) and never one of `auto`'s tasks.
 */
export const CallTask = z.enum([...TaskType.options, 'embeddings']);
export type CallTask = z.infer<typeof CallTask>;

/** Structural facts about a request, derived at the edge (`intakeOf`); the router bounds on them. */
export const RequestSignals = z.object({
  /** Likely prompt tokens (about four characters a token); used for context-window fit. */
  estimatedInputTokens: z.number().int().nonnegative(),
  /** A bound the prompt's tokens cannot exceed on any tokenizer or model (`promptTokensBound`); ingress reserves per candidate. */
  inputTokensUpperBound: z.number().int().nonnegative(),
  messageCount: z.number().int().nonnegative(),
  hasTools: z.boolean(),
  hasImages: z.boolean(),
  hasResponseFormat: z.boolean(),
  hasCodeFence: z.boolean(),
  complexity: z.enum(['low', 'medium', 'high']),
});
export type RequestSignals = z.infer<typeof RequestSignals>;

export const Classification = z.object({
  task: TaskType,
  confidence: z.number().min(0).max(1),
});
export type Classification = z.infer<typeof Classification>;
