import type { ChatMessage } from './openai.schema';

export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_IMAGE = 85;
export const CHARACTERS_PER_TOKEN = 4;

/**
 * The simulator's deterministic prompt-token count:
 *
 *   prompt_tokens = ceil(C / 4) + 3 × M + 85 × I
 *
 * where C is the number of characters (UTF-16 code units) of every text in the messages — string
 * contents, `text` parts and assistant tool-call arguments —, M the number of messages and I the
 * number of `image_url` parts. Tool definitions and other fields are not counted.
 */
export const promptTokens = (messages: ChatMessage[]): number => {
  let characters = 0;
  let images = 0;
  for (const message of messages) {
    const content = message.content;
    if (typeof content === 'string') {
      characters += content.length;
    } else if (content) {
      for (const part of content) {
        if (part.type === 'text') characters += part.text?.length ?? 0;
        else if (part.type === 'image_url') images += 1;
      }
    }
    for (const call of message.tool_calls ?? []) characters += call.function.arguments.length;
  }
  return (
    Math.ceil(characters / CHARACTERS_PER_TOKEN) + TOKENS_PER_MESSAGE * messages.length + TOKENS_PER_IMAGE * images
  );
};

/** Embedding inputs: ceil(characters / 4) per string, the array length per pre-tokenised input. */
export const embeddingTokens = (input: string | number[]): number =>
  typeof input === 'string' ? Math.ceil(input.length / CHARACTERS_PER_TOKEN) : input.length;
