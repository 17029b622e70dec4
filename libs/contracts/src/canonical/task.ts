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

export const Complexity = z.enum(['low', 'medium', 'high']);
export type Complexity = z.infer<typeof Complexity>;

/** Structural facts about a request, derived at the edge (`intakeOf`); the router bounds on them. */
export const RequestSignals = z.object({
  /**
   * The edge's size-only guess of the prompt's tokens (`estimateTokens`: text and tool JSON at four
   * characters a token, framing, images at 1,000); the classifier's `Classification.inputTokens`
   * supersedes it.
   */
  estimatedInputTokens: z.number().int().nonnegative(),
  /** Characters of message text in the estimate, so the classifier can replace that part with a count. */
  textChars: z.number().int().nonnegative().optional(),
  /** A bound the prompt's tokens cannot exceed on any tokenizer or model (`promptTokensBound`); ingress reserves per candidate. */
  inputTokensUpperBound: z.number().int().nonnegative(),
  messageCount: z.number().int().nonnegative(),
  hasTools: z.boolean(),
  hasImages: z.boolean(),
  hasResponseFormat: z.boolean(),
  hasCodeFence: z.boolean(),
  /** The edge's size-only estimate; the classifier's `Classification.complexity` supersedes it. */
  complexity: Complexity,
});
export type RequestSignals = z.infer<typeof RequestSignals>;

export const Classification = z.object({
  task: TaskType,
  confidence: z.number().min(0).max(1),
  /**
   * How hard the request is (task, size, turns); routing maps task × complexity to a quality tier.
   * Optional so that a reply from a classifier without it still parses (the router then uses
   * `RequestSignals.complexity`).
   */
  complexity: Complexity.optional(),
  /** The prompt's language as an ISO 639 code (`en`, `zh`, …), `und` when it cannot tell. */
  language: z.string().optional(),
  /**
   * The prompt's tokens as the classifier counted them with a real tokenizer (cl100k): the text
   * sample counted, scaled to the whole text when the sample is a part of it, plus the rest of the
   * edge's estimate (tools, framing, images). What the context-window bound and the complexity use;
   * optional so that a reply without it still parses (the router then uses the edge's estimate).
   */
  inputTokens: z.number().int().nonnegative().optional(),
});
export type Classification = z.infer<typeof Classification>;
