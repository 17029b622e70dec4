import type { PolymuxConfig } from '@polymux/config';
import type { Classification, RequestSignals, SecondOpinion } from '@polymux/contracts';
import { complexityOf } from '@polymux/contracts';

import type { OpinionTask } from './second-opinion.prompt';

export type SecondOpinionRules = PolymuxConfig['secondOpinion'];

/** A classification and, when one was asked (or an explanation would ask one), the second opinion. */
export interface Reviewed {
  classification: Classification;
  secondOpinion?: SecondOpinion;
}

/** What asking the model came to: a task it named, or why there is none. */
export type Answer = { outcome: 'used'; task: OpinionTask } | { outcome: Exclude<SecondOpinion['outcome'], 'used'> };

/**
 * Whether to ask: a model is configured and the classifier's calibrated confidence is below the
 * threshold. Tools and images are decided by rules that are certain, never asked about.
 */
export const wantsSecondOpinion = (
  rules: SecondOpinionRules,
  own: Classification,
  signals: RequestSignals,
): rules is SecondOpinionRules & { model: string } =>
  rules.model !== undefined && own.confidence < rules.belowConfidence && !signals.hasTools && !signals.hasImages;

/**
 * The classification a plan follows: the second opinion's task when it named one (its complexity
 * recomputed for that task, the classifier's confidence and language kept), else the classifier's.
 */
export const settle = (own: Classification, signals: RequestSignals, model: string, answer: Answer): Reviewed => {
  const secondOpinion: SecondOpinion = { model, outcome: answer.outcome, classifierTask: own.task };
  if (answer.outcome !== 'used') return { classification: own, secondOpinion };
  return {
    classification: { ...own, task: answer.task, complexity: complexityOf(answer.task, signals, own.confidence) },
    secondOpinion,
  };
};
