import { Injectable } from '@nestjs/common';
import type { Classification, ClassifyRequest } from '@polymux/contracts';
import { complexityOf } from '@polymux/contracts';

import { countInputTokens } from './input-tokens';
import { LanguageModel } from './language';
import { structuralTask } from './structural-rules';
import { TaskModel } from './task-model';

/**
 * Task identification without a network call: the prompt's tokens counted (`input-tokens.ts`),
 * structural rules where the request's shape is certain (`structural-rules.ts`), the learned task
 * model on the text sample (the last user turn's head and tail, see `intakeOf`) otherwise; then the
 * complexity and the language.
 */
@Injectable()
export class ClassifierService {
  constructor(
    private readonly model: TaskModel,
    private readonly languages: LanguageModel,
  ) {}

  classify({ sample, signals: edge }: ClassifyRequest): Classification {
    const inputTokens = countInputTokens(sample, edge);
    const signals = { ...edge, estimatedInputTokens: inputTokens };
    const byText =
      signals.hasImages || signals.hasTools ? null : this.model.classify(sample, signals.hasResponseFormat);
    const { task, confidence } = structuralTask(signals, byText) ?? {
      task: byText!.task,
      confidence: byText!.confidence,
    };
    return {
      task,
      confidence: round(confidence),
      complexity: complexityOf(task, signals, confidence),
      language: this.languages.detect(sample),
      inputTokens,
    };
  }
}

const round = (value: number): number => Math.round(value * 1_000) / 1_000;
