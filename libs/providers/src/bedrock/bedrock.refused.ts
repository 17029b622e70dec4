import type { ChatRequest } from '@polymux/contracts';

import { anthropicRefusedFields } from '../anthropic/anthropic.request';
import { isClaudeOnBedrock } from './bedrock.request';

/**
 * The canonical fields a Bedrock model refuses in this request: Claude refuses what it refuses on
 * Anthropic's own API (with thinking on: `temperature` other than 1, `top_k`, a low `top_p`, a
 * forced tool); the other families (Nova, Llama, Mistral, …) take no `top_k`, no tool-result error
 * status and no thinking budget. For a target without a model, both.
 */
export const bedrockRefusedFields = (
  request: ChatRequest,
  maxOutputTokens: number,
  upstreamModel?: string,
): Array<keyof ChatRequest | 'isError'> => {
  const claude = upstreamModel === undefined || isClaudeOnBedrock(upstreamModel);
  const other = upstreamModel === undefined || !isClaudeOnBedrock(upstreamModel);
  return [
    ...(claude ? anthropicRefusedFields(request, maxOutputTokens) : []),
    ...(other ? (['topK', 'isError', 'reasoning'] as const) : []),
  ].filter((field, index, all) => all.indexOf(field) === index);
};
