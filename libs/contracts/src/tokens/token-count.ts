import type * as GptTokenizer from 'gpt-tokenizer';

import type { ChatRequest, ContentPart } from '../canonical/chat';
import { imagePartTokens } from './image-tokens';

/*
 * Token counts for an upstream that reports no usage, with a real tokenizer (gpt-tokenizer,
 * o200k_base): the input from the request as OpenAI frames it, the output from what was relayed.
 * Counts, not bounds; they replace a zero that would otherwise be charged.
 */

/** OpenAI's chat framing: 3 tokens a message, 1 for a name, 3 to prime the reply. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;

let tokenizer: typeof GptTokenizer | undefined;

/**
 * The tokenizer's cache of merged pieces, bounded: its default of 100,000 entries grows a process
 * that counts much varied text by tens of MB.
 */
const MERGE_CACHE_ENTRIES = 5_000;

/**
 * Loaded on the first count, not at import: the o200k tables take about 60 MB of RSS, and only an
 * ingress whose upstream omitted usage (or a `count_tokens` call) ever counts — every other service
 * imports contracts too.
 */
const countTokens = (text: string): number => {
  if (!tokenizer) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load (see above)
    tokenizer = require('gpt-tokenizer') as typeof GptTokenizer;
    tokenizer.setMergeCacheSize(MERGE_CACHE_ENTRIES);
  }
  return tokenizer.countTokens(text);
};

const tokens = (text: string): number => (text === '' ? 0 : countTokens(text));

/** About four bytes a token for a document's encoded data: a count, used only when the provider reported none. */
const DOCUMENT_BYTES_PER_TOKEN = 4;

const partTokens = (part: ContentPart, model: string | undefined): number => {
  switch (part.type) {
    case 'text':
      return tokens(part.text);
    case 'thinking':
      return tokens(part.text);
    case 'redacted_thinking':
      return Math.ceil(part.data.length / DOCUMENT_BYTES_PER_TOKEN);
    case 'document':
      return Math.ceil(part.url.length / DOCUMENT_BYTES_PER_TOKEN);
    case 'image':
      return imagePartTokens(model, part);
  }
};

export const countInputTokens = (request: ChatRequest, model?: string): number => {
  let count = REPLY_PRIMING;
  for (const message of request.messages) {
    count += TOKENS_PER_MESSAGE + tokens(message.role) + (message.name ? TOKENS_PER_NAME + tokens(message.name) : 0);
    for (const part of message.content) {
      count += partTokens(part, model);
    }
    for (const call of message.toolCalls ?? []) count += tokens(call.name) + tokens(call.arguments);
  }
  if (request.tools?.length) count += tokens(JSON.stringify(request.tools));
  if (request.responseFormat?.type === 'json_schema') count += tokens(JSON.stringify(request.responseFormat));
  return count;
};

/** What a reply's text and tool-call names and arguments come to. */
export const countOutputTokens = (texts: Iterable<string>): number => {
  let count = 0;
  for (const text of texts) count += tokens(text);
  return count;
};

/** An embeddings request's input tokens, for an upstream that reported none: texts counted, token ids as they are. */
export const countEmbeddingTokens = (input: ReadonlyArray<string | readonly number[]>): number =>
  input.reduce<number>((sum, item) => sum + (typeof item === 'string' ? tokens(item) : item.length), 0);
