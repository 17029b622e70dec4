import { toOpenAiError } from '@polymux/http';

import type { InboundFormat, StreamEncoder } from '../formats/inbound-format';
import { parseChatCompletionBody } from './chat-completion.schema';
import { fromChatCompletionBody } from './openai-request.mapper';
import { toChatCompletion, toChatCompletionChunk, toUsageChunk } from './openai-response.mapper';
import type { ChatChunk, ChatRequest, ChoiceDelta } from '@polymux/contracts';

/**
 * Whether a delta says anything Chat Completions can carry. Reasoning (thinking) deltas have no
 * standard field in Chat Completions, so a delta of reasoning alone is not sent; the reasoning
 * tokens still count in the closing usage (`completion_tokens_details.reasoning_tokens`).
 */
const carriesSomething = (delta: ChoiceDelta): boolean =>
  delta.role !== undefined ||
  delta.content !== undefined ||
  delta.refusal !== undefined ||
  delta.toolCalls !== undefined ||
  delta.finishReason != null ||
  delta.logprobs != null;

/**
 * Chat Completions streams: one chunk per canonical chunk that carries something (see
 * `carriesSomething`), the usage chunk with empty `choices` when asked for, then `[DONE]`.
 */
const chatCompletionsStream = (request: ChatRequest): StreamEncoder => {
  const includeUsage = request.includeUsage === true;
  let template: ChatChunk | undefined;
  return {
    chunk(chunk) {
      const choices = chunk.choices.filter(carriesSomething);
      if (choices.length === 0) return [];
      template = chunk;
      const carried = choices.length === chunk.choices.length ? chunk : { ...chunk, choices };
      return [{ data: toChatCompletionChunk(carried, includeUsage) }];
    },
    end(usage) {
      return [...(includeUsage && template ? [{ data: toUsageChunk(template, usage) }] : []), { data: '[DONE]' }];
    },
    error(payload) {
      return [{ data: toOpenAiError(payload) }];
    },
  };
};

/** `POST /v1/chat/completions`, OpenAI's wire format. */
export const chatCompletions: InboundFormat = {
  api: 'chat.completions',
  decode: (body) => fromChatCompletionBody(parseChatCompletionBody(body)),
  encode: (response) => toChatCompletion(response),
  streamEncoder: chatCompletionsStream,
};
