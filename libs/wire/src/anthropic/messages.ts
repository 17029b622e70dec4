import { z } from 'zod';

/**
 * Anthropic's Messages API wire format (`anthropic-version: 2023-06-01`), defined once: ingress
 * validates inbound bodies with these schemas (adding its own bounds), the adapter writes requests
 * and reads answers with these types, the provider simulator validates requests with these schemas. Unknown fields are accepted (Anthropic adds fields; a reader ignores them).
 */

/** Anthropic's protocol version, sent in `anthropic-version`. */
export const ANTHROPIC_VERSION = '2023-06-01';
/** The `anthropic_version` body field of Claude on Vertex AI (`rawPredict`), which has no `model` field. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

export const AnthropicCacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });
export type AnthropicCacheControl = z.infer<typeof AnthropicCacheControl>;

const cached = { cache_control: AnthropicCacheControl.nullish() };

export const AnthropicTextBlock = z.looseObject({ type: z.literal('text'), text: z.string().min(1), ...cached });
export type AnthropicTextBlock = z.infer<typeof AnthropicTextBlock>;

const ImageSource = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('base64'),
    media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
    data: z.string().min(1),
  }),
  z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
]);
export const AnthropicImageBlock = z.looseObject({ type: z.literal('image'), source: ImageSource, ...cached });
export type AnthropicImageBlock = z.infer<typeof AnthropicImageBlock>;

const DocumentSource = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('base64'), media_type: z.literal('application/pdf'), data: z.string().min(1) }),
  z.looseObject({ type: z.literal('text'), media_type: z.literal('text/plain'), data: z.string() }),
  z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
]);
export const AnthropicDocumentBlock = z.looseObject({
  type: z.literal('document'),
  source: DocumentSource,
  title: z.string().nullish(),
  context: z.string().nullish(),
  ...cached,
});
export type AnthropicDocumentBlock = z.infer<typeof AnthropicDocumentBlock>;

/** Tool names Anthropic accepts. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** Tool-use ids Anthropic accepts. */
export const TOOL_USE_ID = /^[a-zA-Z0-9_-]+$/;

export const AnthropicToolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().regex(TOOL_USE_ID),
  name: z.string().regex(TOOL_NAME),
  input: z.record(z.string(), z.unknown()),
  ...cached,
});
export type AnthropicToolUseBlock = z.infer<typeof AnthropicToolUseBlock>;

export const AnthropicToolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().regex(TOOL_USE_ID),
  content: z
    .union([
      z.string(),
      z.array(z.discriminatedUnion('type', [AnthropicTextBlock, AnthropicImageBlock, AnthropicDocumentBlock])),
    ])
    .optional(),
  is_error: z.boolean().optional(),
  ...cached,
});
export type AnthropicToolResultBlock = z.infer<typeof AnthropicToolResultBlock>;

/** Sent back only as Anthropic wrote it: the signature is required and checked by Anthropic. */
export const AnthropicThinkingBlock = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().min(1),
});
export type AnthropicThinkingBlock = z.infer<typeof AnthropicThinkingBlock>;

export const AnthropicRedactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });
export type AnthropicRedactedThinkingBlock = z.infer<typeof AnthropicRedactedThinkingBlock>;

export const AnthropicContentBlock = z.discriminatedUnion('type', [
  AnthropicTextBlock,
  AnthropicImageBlock,
  AnthropicDocumentBlock,
  AnthropicToolUseBlock,
  AnthropicToolResultBlock,
  AnthropicThinkingBlock,
  AnthropicRedactedThinkingBlock,
]);
export type AnthropicContentBlock = z.infer<typeof AnthropicContentBlock>;

export const AnthropicMessage = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(AnthropicContentBlock)]),
});
export type AnthropicMessage = z.infer<typeof AnthropicMessage>;

export const AnthropicTool = z.looseObject({
  /** A custom tool (the default); Anthropic's server tools have other types and shapes. */
  type: z.literal('custom').nullish(),
  name: z.string().regex(TOOL_NAME),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }),
  ...cached,
});
export type AnthropicTool = z.infer<typeof AnthropicTool>;

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
export const AnthropicToolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), ...parallel }),
  z.looseObject({ type: z.literal('any'), ...parallel }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), ...parallel }),
  z.looseObject({ type: z.literal('none') }),
]);
export type AnthropicToolChoice = z.infer<typeof AnthropicToolChoice>;

export const AnthropicThinking = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }),
  z.looseObject({ type: z.literal('disabled') }),
]);
export type AnthropicThinking = z.infer<typeof AnthropicThinking>;

/** The body of `POST /v1/messages/count_tokens`: a message request without the output settings. */
export const AnthropicCountTokensRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(AnthropicMessage).min(1),
  system: z.union([z.string(), z.array(AnthropicTextBlock)]).optional(),
  tools: z.array(AnthropicTool).optional(),
  tool_choice: AnthropicToolChoice.optional(),
  thinking: AnthropicThinking.optional(),
});
export type AnthropicCountTokensRequest = z.infer<typeof AnthropicCountTokensRequest>;

/** The body of `POST /v1/messages`. */
export const AnthropicMessagesRequest = AnthropicCountTokensRequest.extend({
  max_tokens: z.number().int().min(1),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string().min(1)).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().max(256).nullish() }).optional(),
});
export type AnthropicMessagesRequest = z.infer<typeof AnthropicMessagesRequest>;

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

/** A block of an answer: what the model writes (no tool results or documents). */
export type AnthropicResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

/** The answer of a non-streaming call. */
export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string };

/** The events of a streamed answer, each the `data` of the SSE event named by its `type`. */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicResponse }
  | { type: 'content_block_start'; index: number; content_block: AnthropicResponseBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
      usage: AnthropicUsage;
    }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };

/**
 * Anthropic's error types (https://docs.claude.com/en/api/errors), by the HTTP status that carries
 * them. A type its SDK does not know still reaches the caller: the SDK picks its error class by
 * status and keeps the body.
 */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

/**
 * `{"type":"error","error":{type,message}}`, Anthropic's error body (and its `error` stream event),
 * with the request id as Anthropic adds it.
 */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

/** The error type Anthropic answers with a status. */
export const anthropicErrorType = (status: number): AnthropicErrorType => {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
    case 503:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
};
