import type { ChatRequest, ContentPart } from '../canonical/chat';
import { dataUrlImageSize } from './image-size';
import type { ImageSize } from './image-size';
import type { ImageDetail } from './image-tokens';
import { imageTokens } from './image-tokens';

/*
 * An upper bound of the input tokens any provider bills for a request, without a tokenizer.
 *
 * Why bytes: every tokenizer providers use (byte-level BPE such as OpenAI's o200k/cl100k and
 * Anthropic's, SentencePiece with byte fallback such as Gemini's and Llama's) emits tokens that
 * each cover at least one UTF-8 byte of the text, so a text never has more tokens than UTF-8 bytes.
 * (UTF-8 bytes are also never fewer than UTF-16 code units.) A real tokenizer with a margin would be
 * tighter, but no margin is provable for every provider's tokenizer; bytes are.
 *
 * What is counted, since providers bill all of it as input: message text; role, name and tool-call
 * ids; tool calls (name and arguments) and tool results; every tool definition (its JSON: name,
 * description, parameter schema); the `response_format` schema; `tool_choice`; fields passed through
 * unmapped (`extra`); images by the provider's image rules (`image-tokens.ts`); plus fixed framing.
 */

/** OpenAI frames a message with 3 tokens and a name with 1 more; 8 leaves room for other providers. */
const MESSAGE_FRAMING = 8;
/** Framing around one tool call in an assistant message. */
const TOOL_CALL_FRAMING = 8;
/** A function definition is rendered with a few keywords and separators around its JSON parts. */
const TOOL_FRAMING = 32;
/** The block that holds the definitions, and the reply priming (OpenAI's 3 tokens) and format framing. */
const REQUEST_FRAMING = 64;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const jsonBytes = (value: unknown): number => (value === undefined ? 0 : bytes(JSON.stringify(value)));

/** What the bound needs to know, small enough to travel without the request (sizes, not images). */
export interface PromptShape {
  /** Bound of every input token except images. */
  tokens: number;
  /** Each image's detail and, when a `data:` URL says it, its size. */
  images: Array<{ detail?: ImageDetail; size?: ImageSize }>;
}

/**
 * A document by link is fetched by the provider: its size is unknown here, so it is bounded by the
 * largest file a provider reads (Anthropic: 100 pages of at most about 3,000 tokens each).
 */
const LINKED_DOCUMENT_TOKENS = 300_000;
/** A PDF is billed as its text and an image of every page: twice its bytes covers both. */
const DOCUMENT_BYTES_FACTOR = 2;

const partBytes = (part: ContentPart, images: PromptShape['images']): number => {
  if (part.type === 'text') return bytes(part.text);
  if (part.type === 'thinking') return bytes(part.text) + bytes(part.signature ?? '');
  if (part.type === 'redacted_thinking') return bytes(part.data);
  if (part.type === 'document') {
    return part.url.startsWith('data:') ? DOCUMENT_BYTES_FACTOR * bytes(part.url) : LINKED_DOCUMENT_TOKENS;
  }
  const size = dataUrlImageSize(part.url);
  images.push({ ...(part.detail ? { detail: part.detail } : {}), ...(size ? { size } : {}) });
  return 0;
};

/** The model-independent part of the bound, computed once per request. */
export const promptShape = (request: ChatRequest): PromptShape => {
  const images: PromptShape['images'] = [];
  let tokens = REQUEST_FRAMING;
  for (const message of request.messages) {
    tokens += MESSAGE_FRAMING + bytes(message.role) + bytes(message.name ?? '') + bytes(message.toolCallId ?? '');
    for (const part of message.content) tokens += partBytes(part, images);
    for (const call of message.toolCalls ?? []) {
      tokens += TOOL_CALL_FRAMING + bytes(call.id) + bytes(call.name) + bytes(call.arguments);
    }
  }
  for (const tool of request.tools ?? []) tokens += TOOL_FRAMING + jsonBytes(tool);
  tokens += jsonBytes(request.toolChoice) + jsonBytes(request.responseFormat) + jsonBytes(request.extra);
  return { tokens, images };
};

/** The images' tokens on `model` (undefined: the largest of any known rule). */
export const imagesBound = (shape: PromptShape, model: string | undefined): number =>
  shape.images.reduce((sum, image) => sum + imageTokens(model, image.detail ?? 'auto', image.size), 0);

/** An upper bound of the input tokens `model` bills for `request` (see the comment above). */
export const promptTokensBound = (request: ChatRequest, model?: string): number => {
  const shape = promptShape(request);
  return shape.tokens + imagesBound(shape, model);
};
