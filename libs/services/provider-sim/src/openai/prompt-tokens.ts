import type { ImageDetail } from '@polymux/contracts';
import { dataUrlImageSize, imageTokens } from '@polymux/contracts';

import type { OpenAiChatRequest, OpenAiMessage } from '@polymux/wire';

export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
export const TOKENS_PER_TOOL = 8;
export const CHARACTERS_PER_TOKEN = 4;

/** The parts of a request besides its messages that OpenAI bills as input. */
export type PromptExtras = Partial<Pick<OpenAiChatRequest, 'model' | 'tools' | 'response_format'>>;

const detailOf = (detail: string | undefined): ImageDetail => (detail === 'low' || detail === 'high' ? detail : 'auto');

/**
 * The simulator's deterministic prompt-token count, billed the way OpenAI bills:
 *
 *   prompt_tokens = ceil(C / 4) + 3 × M + 1 × N + 8 × T + images
 *
 * where C is the number of characters (UTF-16 code units) of every text — string contents, `text`
 * parts, names, assistant tool-call names and arguments, tool definitions (their JSON) and a
 * `json_schema` response format (its JSON) —, M the number of messages, N the number of names and
 * T the number of tool definitions. Each `image_url` part costs what OpenAI's image rules say for
 * the request's model and detail (the size read from a `data:` URL, the largest for a link); a
 * `file` part's inline `file_data` counts as characters (a stand-in for the text and page images
 * OpenAI reads from a PDF), so that a document is billed as input.
 */
export const promptTokens = (messages: OpenAiMessage[], extras: PromptExtras = {}): number => {
  let characters = 0;
  let names = 0;
  let images = 0;
  for (const message of messages) {
    const content = message.content;
    const name = 'name' in message ? message.name : undefined;
    if (name) {
      names += 1;
      characters += name.length;
    }
    if (typeof content === 'string') {
      characters += content.length;
    } else if (content) {
      for (const part of content) {
        if (part.type === 'text') characters += part.text.length;
        else if (part.type === 'image_url') {
          const size = dataUrlImageSize(part.image_url.url);
          images += imageTokens(extras.model, detailOf(part.image_url.detail), size);
        } else if (part.type === 'file') characters += part.file.file_data?.length ?? 0;
      }
    }
    for (const call of (message.role === 'assistant' && message.tool_calls) || [])
      characters += call.function.name.length + call.function.arguments.length;
  }
  const tools = extras.tools ?? [];
  if (tools.length > 0) characters += JSON.stringify(tools).length;
  const format = extras.response_format;
  if (format?.type === 'json_schema') characters += JSON.stringify(format.json_schema ?? {}).length;
  return (
    Math.ceil(characters / CHARACTERS_PER_TOKEN) +
    TOKENS_PER_MESSAGE * messages.length +
    TOKENS_PER_NAME * names +
    TOKENS_PER_TOOL * tools.length +
    images
  );
};

/** Embedding inputs: ceil(characters / 4) per string, the array length per pre-tokenised input. */
export const embeddingTokens = (input: string | number[]): number =>
  typeof input === 'string' ? Math.ceil(input.length / CHARACTERS_PER_TOKEN) : input.length;
