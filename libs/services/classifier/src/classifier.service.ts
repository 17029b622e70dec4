import { Injectable } from '@nestjs/common';
import type { Classification, ClassifyRequest } from '@polymux/contracts';

import { taskFromText } from './task-rules';

/**
 * First task identification: structural signals decide where they are unambiguous (images,
 * tools, response formats, code fences, very long inputs), keyword rules on the text sample
 * (the last user turn's head and tail, see `intakeOf`) otherwise.
 */
@Injectable()
export class ClassifierService {
  classify({ sample, signals }: ClassifyRequest): Classification {
    if (signals.hasImages) return { task: 'vision', confidence: 0.95 };
    if (signals.hasTools) return { task: 'agent', confidence: 0.95 };
    if (signals.hasResponseFormat) return { task: 'extraction', confidence: 0.85 };
    const byText = taskFromText(sample);
    if (signals.hasCodeFence && byText?.task !== 'summarization' && byText?.task !== 'translation')
      return { task: 'code', confidence: 0.85 };
    if (byText) return byText;
    if (signals.estimatedInputTokens > 3_000) return { task: 'summarization', confidence: 0.5 };
    return { task: 'chat', confidence: 0.5 };
  }
}
