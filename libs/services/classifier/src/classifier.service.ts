import { Injectable } from '@nestjs/common';
import type { ChatRequest, Classification } from '@polymux/contracts';

import { extractSignals } from './signals';
import { taskFromText } from './task-rules';

/** Longest text the keyword rules read: the instruction is at the start or end of a prompt. */
const RULE_WINDOW = 2_000;

/**
 * First task identification: structural signals decide where they are unambiguous (images,
 * tools, response formats, code fences, very long inputs), keyword rules on the last user turn otherwise.
 */
@Injectable()
export class ClassifierService {
  classify(request: ChatRequest): Classification {
    const { lastUserText, text, ...signals } = extractSignals(request);
    const classification = (task: Classification['task'], confidence: number): Classification => ({
      task,
      confidence,
      signals,
    });
    if (signals.hasImages) return classification('vision', 0.95);
    if (signals.hasTools) return classification('agent', 0.95);
    if (signals.hasResponseFormat) return classification('extraction', 0.85);
    const window =
      lastUserText.length > RULE_WINDOW
        ? `${lastUserText.slice(0, RULE_WINDOW / 2)}\n${lastUserText.slice(-RULE_WINDOW / 2)}`
        : lastUserText;
    const byText = taskFromText(window || text.slice(-RULE_WINDOW));
    if (signals.hasCodeFence && byText?.task !== 'summarization' && byText?.task !== 'translation')
      return classification('code', 0.85);
    if (byText) return classification(byText.task, byText.confidence);
    if (signals.estimatedInputTokens > 3_000) return classification('summarization', 0.5);
    return classification('chat', 0.5);
  }
}
