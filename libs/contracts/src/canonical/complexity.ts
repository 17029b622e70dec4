import type { Complexity, RequestSignals, TaskType } from './task';

/** Tasks that need a strong model's multi-step work even when short. */
const DEMANDING: ReadonlySet<TaskType> = new Set(['code', 'reasoning', 'agent']);
/** Input tokens from which a request is long, and very long. */
const LONG_INPUT_TOKENS = 2_000;
const VERY_LONG_INPUT_TOKENS = 16_000;
/** A conversation this long carries state a small model tends to lose. */
const LONG_CONVERSATION_MESSAGES = 8;

/**
 * How hard a request is, from its task and its shape: one point for a demanding task, one for a
 * long input (two for a very long one), one for a long conversation, one for a demanding task the
 * model was unsure of. 0 is low, 1 medium, 2 or more high.
 */
export const complexityOf = (task: TaskType, signals: RequestSignals, confidence: number): Complexity => {
  const tokens = signals.estimatedInputTokens;
  const demanding = DEMANDING.has(task);
  const points =
    (demanding ? 1 : 0) +
    (tokens >= VERY_LONG_INPUT_TOKENS ? 2 : tokens >= LONG_INPUT_TOKENS ? 1 : 0) +
    (signals.messageCount >= LONG_CONVERSATION_MESSAGES ? 1 : 0) +
    (demanding && confidence < 0.6 ? 1 : 0);
  return points === 0 ? 'low' : points === 1 ? 'medium' : 'high';
};
