import { toOpenAiError } from '@polymux/http';

import type { InboundFormat, StreamEncoder } from '../formats/inbound-format';
import { parseChatCompletionBody } from './chat-completion.schema';
import { fromChatCompletionBody } from './openai-request.mapper';
import { toChatCompletion, toChatCompletionChunk, toUsageChunk } from './openai-response.mapper';
import type { ChatChunk, ChatRequest } from '@polymux/contracts';

/** Chat Completions streams: one chunk per canonical chunk, the usage chunk when asked for, then `[DONE]`. */
const chatCompletionsStream = (request: ChatRequest): StreamEncoder => {
  const includeUsage = request.includeUsage === true;
  let template: ChatChunk | undefined;
  return {
    chunk(chunk) {
      if (chunk.choices.length === 0) return [];
      template = chunk;
      return [{ data: toChatCompletionChunk(chunk, includeUsage) }];
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
