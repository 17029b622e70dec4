import type { Scenario } from '../scenario';
import type { OpenAiChatRequest } from '@polymux/wire';

/** OpenAI's reasoning models: the o-series (`o1`, `o3-mini`, `o4-mini`, …) and the gpt-5 family. */
export const isReasoningModel = (model: string): boolean => /^(o\d|gpt-5)/.test(model);

/** DeepSeek's thinking models, which show their reasoning as `reasoning_content`. */
export const showsReasoning = (model: string): boolean => /^deepseek-reasoner/.test(model);

/** Hidden reasoning tokens per choice by `reasoning_effort` (OpenAI's default effort is medium). */
export const REASONING_TOKENS = { none: 0, minimal: 8, low: 16, medium: 32, high: 64 } as const;

/**
 * The reasoning tokens one choice spends: the `reasoning=<n>` knob for any model, else by effort for
 * a reasoning model, else none. They count in `completion_tokens` and against its limit.
 */
export const reasoningTokensFor = (request: OpenAiChatRequest, scenario: Scenario): number => {
  if (scenario.reasoningTokens !== undefined) return scenario.reasoningTokens;
  if (!isReasoningModel(request.model) && !showsReasoning(request.model)) return 0;
  return REASONING_TOKENS[request.reasoning_effort ?? 'medium'];
};

/**
 * OpenAI's 400 for `max_tokens` sent to a reasoning model, which takes only `max_completion_tokens`;
 * undefined when the request is acceptable.
 */
export const unsupportedParameter = (
  request: OpenAiChatRequest,
): { message: string; param: string; code: string } | undefined =>
  isReasoningModel(request.model) && request.max_tokens != null
    ? {
        message:
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        param: 'max_tokens',
        code: 'unsupported_parameter',
      }
    : undefined;
