import { z } from 'zod';

/**
 * The canonical chat model: every inbound wire format is mapped onto it by ingress and every
 * provider adapter maps it onto its upstream format. Fields a hop cannot carry are reported, never
 * dropped silently (see `ChatRequest.extra` and the `x-polymux-dropped` header).
 */

/** A prompt-caching breakpoint (Anthropic's `cache_control`); providers that cache on their own ignore it. */
export const CacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });
export type CacheControl = z.infer<typeof CacheControl>;

export const TextPart = z.object({ type: z.literal('text'), text: z.string(), cacheControl: CacheControl.optional() });
export const ImagePart = z.object({
  type: z.literal('image'),
  /** `https://…` or a `data:` URL. */
  url: z.string(),
  detail: z.enum(['auto', 'low', 'high']).optional(),
  cacheControl: CacheControl.optional(),
});
/** A file the model reads (a PDF, a plain-text document). */
export const DocumentPart = z.object({
  type: z.literal('document'),
  /** `https://…` or a `data:` URL. */
  url: z.string(),
  /** `application/pdf`, `text/plain`, … */
  mediaType: z.string(),
  title: z.string().optional(),
  filename: z.string().optional(),
  cacheControl: CacheControl.optional(),
});
/** A model's visible reasoning; `signature` proves it to the provider that wrote it when it is sent back. */
export const ThinkingPart = z.object({
  type: z.literal('thinking'),
  text: z.string(),
  signature: z.string().optional(),
});
/** Reasoning the provider encrypted; only that provider can read it back. */
export const RedactedThinkingPart = z.object({ type: z.literal('redacted_thinking'), data: z.string() });
export const ContentPart = z.discriminatedUnion('type', [
  TextPart,
  ImagePart,
  DocumentPart,
  ThinkingPart,
  RedactedThinkingPart,
]);
export type ContentPart = z.infer<typeof ContentPart>;
export type ReasoningPart = z.infer<typeof ThinkingPart> | z.infer<typeof RedactedThinkingPart>;

export const ToolCall = z.object({
  id: z.string(),
  name: z.string(),
  /** JSON-encoded arguments, exactly as the model produced them. */
  arguments: z.string(),
});
export type ToolCall = z.infer<typeof ToolCall>;

export const Message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.array(ContentPart),
  name: z.string().optional(),
  toolCalls: z.array(ToolCall).optional(),
  toolCallId: z.string().optional(),
  /**
   * On a `tool` message: the result reports that the tool failed (Anthropic's `tool_result.is_error`).
   * Only `true` is carried, `false` being what an unflagged result already means. A provider with no
   * such flag (OpenAI) has the field dropped and named `is_error` in `x-polymux-dropped`.
   */
  isError: z.literal(true).optional(),
});
export type Message = z.infer<typeof Message>;

export const Tool = z.object({
  name: z.string(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  strict: z.boolean().optional(),
  cacheControl: CacheControl.optional(),
});
export type Tool = z.infer<typeof Tool>;

/**
 * How hard a reasoning model thinks: OpenAI's `reasoning_effort` or Anthropic's thinking budget.
 * A provider that takes the other form gets the nearest equivalent (see docs/api.md).
 */
export const Reasoning = z.object({
  effort: z.enum(['none', 'minimal', 'low', 'medium', 'high']).optional(),
  budgetTokens: z.number().int().nonnegative().optional(),
});
export type Reasoning = z.infer<typeof Reasoning>;

export const ToolChoice = z.union([z.enum(['auto', 'none', 'required']), z.object({ name: z.string() })]);
export type ToolChoice = z.infer<typeof ToolChoice>;

export const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string(),
    schema: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().optional(),
  }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormat>;

export const ChatRequest = z.object({
  /** The model the caller asked for: concrete, alias or `auto`. */
  model: z.string(),
  messages: z.array(Message),
  tools: z.array(Tool).optional(),
  toolChoice: ToolChoice.optional(),
  parallelToolCalls: z.boolean().optional(),
  responseFormat: ResponseFormat.optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  temperature: z.number().optional(),
  topP: z.number().optional(),
  topK: z.number().int().positive().optional(),
  reasoning: Reasoning.optional(),
  stop: z.array(z.string()).optional(),
  seed: z.number().int().optional(),
  n: z.number().int().positive().optional(),
  logprobs: z.boolean().optional(),
  topLogprobs: z.number().int().optional(),
  presencePenalty: z.number().optional(),
  frequencyPenalty: z.number().optional(),
  user: z.string().optional(),
  stream: z.boolean(),
  includeUsage: z.boolean().optional(),
  /** Fields of the inbound format the canonical model has no slot for; passed through where the hop allows. */
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

/**
 * Why a choice ended. `stop` is a natural end or a stop sequence (`Choice.stopSequence` names which);
 * `content_filter` covers refusals.
 */
export const FinishReason = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'error']);
export type FinishReason = z.infer<typeof FinishReason>;

/**
 * Token usage, normalised to OpenAI's convention: `inputTokens` counts every input token, cached
 * reads and cache writes included (Anthropic's `input_tokens` excludes both; its adapter adds them),
 * and `outputTokens` includes `reasoningTokens`.
 */
export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** Input tokens read from the provider's prompt cache. */
  cachedInputTokens: z.number().int().nonnegative().optional(),
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  reasoningTokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof Usage>;

export const Choice = z.object({
  index: z.number().int(),
  content: z.string().nullable(),
  refusal: z.string().nullable().optional(),
  toolCalls: z.array(ToolCall).optional(),
  /** The reasoning blocks that came before the answer, in order. */
  reasoning: z.array(z.discriminatedUnion('type', [ThinkingPart, RedactedThinkingPart])).optional(),
  finishReason: FinishReason.nullable(),
  /** The stop sequence that ended the choice, when one did. */
  stopSequence: z.string().optional(),
  logprobs: z.unknown().optional(),
});
export type Choice = z.infer<typeof Choice>;

export const ChatResponse = z.object({
  id: z.string(),
  /** The model that actually answered, as the provider named it. */
  model: z.string(),
  created: z.number().int(),
  choices: z.array(Choice),
  /** What the provider reported; null when it reported nothing (ingress then counts with a tokenizer). */
  usage: Usage.nullable(),
  systemFingerprint: z.string().nullable().optional(),
});
export type ChatResponse = z.infer<typeof ChatResponse>;

export const ToolCallDelta = z.object({
  index: z.number().int(),
  id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
});
export type ToolCallDelta = z.infer<typeof ToolCallDelta>;

export const ChoiceDelta = z.object({
  index: z.number().int(),
  role: z.literal('assistant').optional(),
  content: z.string().optional(),
  refusal: z.string().optional(),
  toolCalls: z.array(ToolCallDelta).optional(),
  /**
   * A fragment of reasoning: `text` continues the current thinking block, `signature` closes it (the
   * next `text` starts a new one), `redacted` is a whole encrypted block.
   */
  reasoning: z
    .object({ text: z.string().optional(), signature: z.string().optional(), redacted: z.string().optional() })
    .optional(),
  finishReason: FinishReason.nullable().optional(),
  stopSequence: z.string().optional(),
  logprobs: z.unknown().optional(),
});
export type ChoiceDelta = z.infer<typeof ChoiceDelta>;

export const ChatChunk = z.object({
  id: z.string(),
  model: z.string(),
  created: z.number().int(),
  choices: z.array(ChoiceDelta),
  /** On the first chunk, what the provider reported of the input up front (Anthropic's `message_start`); on the last, the whole usage. */
  usage: Usage.optional(),
  systemFingerprint: z.string().nullable().optional(),
});
export type ChatChunk = z.infer<typeof ChatChunk>;
