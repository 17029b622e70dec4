import { z } from 'zod';

/**
 * The canonical chat model: every inbound wire format is mapped onto it by ingress and every
 * provider adapter maps it onto its upstream format. Fields a hop cannot carry are reported, never
 * dropped silently (see `ChatRequest.extra` and the `x-polymux-dropped` header).
 */

export const TextPart = z.object({ type: z.literal('text'), text: z.string() });
export const ImagePart = z.object({
  type: z.literal('image'),
  /** `https://…` or a `data:` URL. */
  url: z.string(),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});
export const ContentPart = z.discriminatedUnion('type', [TextPart, ImagePart]);
export type ContentPart = z.infer<typeof ContentPart>;

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
});
export type Message = z.infer<typeof Message>;

export const Tool = z.object({
  name: z.string(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  strict: z.boolean().optional(),
});
export type Tool = z.infer<typeof Tool>;

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

export const FinishReason = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'error']);
export type FinishReason = z.infer<typeof FinishReason>;

export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative().optional(),
  reasoningTokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof Usage>;

export const Choice = z.object({
  index: z.number().int(),
  content: z.string().nullable(),
  refusal: z.string().nullable().optional(),
  toolCalls: z.array(ToolCall).optional(),
  finishReason: FinishReason.nullable(),
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
  finishReason: FinishReason.nullable().optional(),
  logprobs: z.unknown().optional(),
});
export type ChoiceDelta = z.infer<typeof ChoiceDelta>;

export const ChatChunk = z.object({
  id: z.string(),
  model: z.string(),
  created: z.number().int(),
  choices: z.array(ChoiceDelta),
  usage: Usage.optional(),
  systemFingerprint: z.string().nullable().optional(),
});
export type ChatChunk = z.infer<typeof ChatChunk>;
