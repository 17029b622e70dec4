import type { RequestSignals, TaskType } from '@polymux/contracts';

import type { TextVerdict } from './task-model';

/** From this many input tokens a prompt is a document, and an instruction to condense it makes it summarization. */
export const LONG_DOCUMENT_TOKENS = 3_000;
/** How likely the model must find summarization on some view of a long document to call it one. */
const CONDENSE_PROBABILITY = 0.3;
const CERTAIN = 0.99;

/**
 * What the request's shape decides on its own, or null to let the text model decide: images are
 * vision, tools the caller left enabled are agent, and a long document the model reads an
 * instruction to condense in is summarization (the model's verdict is needed for that instruction;
 * its document body would otherwise outweigh it).
 */
export const structuralTask = (
  signals: RequestSignals,
  byText: TextVerdict | null,
): { task: TaskType; confidence: number } | null => {
  if (signals.hasImages) return { task: 'vision', confidence: CERTAIN };
  if (signals.hasTools) return { task: 'agent', confidence: CERTAIN };
  const condense = byText?.probabilities.get('summarization') ?? 0;
  if (signals.estimatedInputTokens >= LONG_DOCUMENT_TOKENS && condense >= CONDENSE_PROBABILITY) {
    return { task: 'summarization', confidence: Math.max(condense, byText!.probability) };
  }
  return null;
};
