import { z } from 'zod';

/**
 * OpenAI's Chat Completions wire format (`POST /v1/chat/completions`), defined once: ingress
 * validates inbound bodies with these schemas (adding its own bounds), the OpenAI adapter writes
 * requests and reads answers with the inferred types, the provider simulator validates requests
 * with the schemas and types its answers with them. Nested objects ignore unknown fields (they are
 * stripped); a request keeps its unknown top-level fields, which compatible servers define.
 */

export const OpenAiTextPart = z.object({ type: z.literal('text'), text: z.string() });
export type OpenAiTextPart = z.infer<typeof OpenAiTextPart>;

export const OpenAiImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
export type OpenAiImagePart = z.infer<typeof OpenAiImagePart>;

/** A file part's file: inline as a `data:` URL (`file_data`) or uploaded earlier (`file_id`). */
export const OpenAiFile = z.object({
  file_id: z.string().optional(),
  file_data: z.string().optional(),
  filename: z.string().optional(),
});
export const OpenAiFilePart = z.object({ type: z.literal('file'), file: OpenAiFile });
export type OpenAiFilePart = z.infer<typeof OpenAiFilePart>;

export const OpenAiAudioPart = z.object({
  type: z.literal('input_audio'),
  input_audio: z.object({ data: z.string(), format: z.enum(['wav', 'mp3']) }),
});
export type OpenAiAudioPart = z.infer<typeof OpenAiAudioPart>;

/** An assistant turn may quote its own earlier refusal as a part. */
export const OpenAiRefusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
export type OpenAiRefusalPart = z.infer<typeof OpenAiRefusalPart>;

/** The parts a user turn may carry. */
export const OpenAiUserPart = z.discriminatedUnion('type', [
  OpenAiTextPart,
  OpenAiImagePart,
  OpenAiFilePart,
  OpenAiAudioPart,
]);
export type OpenAiUserPart = z.infer<typeof OpenAiUserPart>;

/** Any content part. */
export const OpenAiContentPart = z.discriminatedUnion('type', [
  OpenAiTextPart,
  OpenAiImagePart,
  OpenAiFilePart,
  OpenAiAudioPart,
  OpenAiRefusalPart,
]);
export type OpenAiContentPart = z.infer<typeof OpenAiContentPart>;

/**
 * A message's content: a string or parts. Parts of any kind are accepted in any role, as compatible
 * servers take them (and the adapter writes a tool result's image as a part); OpenAI's own API takes
 * only text parts outside user turns (and refusals in assistant turns), as ingress narrows it with
 * `OpenAiTextContent` and `OpenAiAssistantContent`.
 */
export const OpenAiContent = z.union([z.string(), z.array(OpenAiContentPart)]);
export type OpenAiContent = z.infer<typeof OpenAiContent>;

/** Text content as OpenAI takes it in system, developer and tool turns. */
export const OpenAiTextContent = z.union([z.string(), z.array(OpenAiTextPart)]);
/** Assistant content as OpenAI takes it: text, or an earlier refusal quoted as a part. */
export const OpenAiAssistantContent = z.union([
  z.string(),
  z.array(z.discriminatedUnion('type', [OpenAiTextPart, OpenAiRefusalPart])),
]);

export const OpenAiToolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export type OpenAiToolCall = z.infer<typeof OpenAiToolCall>;

export const OpenAiSystemMessage = z.object({
  role: z.literal('system'),
  content: OpenAiContent,
  name: z.string().optional(),
});
export const OpenAiDeveloperMessage = OpenAiSystemMessage.extend({ role: z.literal('developer') });
export const OpenAiUserMessage = z.object({
  role: z.literal('user'),
  content: OpenAiContent,
  name: z.string().optional(),
});
export const OpenAiAssistantMessage = z.object({
  role: z.literal('assistant'),
  content: OpenAiContent.nullish(),
  name: z.string().optional(),
  refusal: z.string().nullish(),
  tool_calls: z.array(OpenAiToolCall).optional(),
  /**
   * Compatible servers' reasoning of the turn, sent back where they require it (DeepSeek and
   * Moonshot read `reasoning_content`, OpenRouter `reasoning`); OpenAI's own API has neither.
   */
  reasoning_content: z.string().optional(),
  reasoning: z.string().optional(),
  /** An earlier audio answer, sent back by its id. */
  audio: z.object({ id: z.string() }).nullish(),
});
export const OpenAiToolMessage = z.object({
  role: z.literal('tool'),
  content: OpenAiContent,
  tool_call_id: z.string(),
});

export const OpenAiMessage = z.discriminatedUnion('role', [
  OpenAiSystemMessage,
  OpenAiDeveloperMessage,
  OpenAiUserMessage,
  OpenAiAssistantMessage,
  OpenAiToolMessage,
]);
export type OpenAiMessage = z.infer<typeof OpenAiMessage>;

export const OpenAiTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});
export type OpenAiTool = z.infer<typeof OpenAiTool>;

export const OpenAiToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);
export type OpenAiToolChoice = z.infer<typeof OpenAiToolChoice>;

export const OpenAiResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);
export type OpenAiResponseFormat = z.infer<typeof OpenAiResponseFormat>;

export const OPENAI_REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high'] as const;

/** The request body, with OpenAI's own limits (temperature, `n`, four stop sequences, …). */
export const OpenAiChatRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(OpenAiMessage).min(1),
  tools: z.array(OpenAiTool).optional(),
  tool_choice: OpenAiToolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: OpenAiResponseFormat.optional(),
  /** Deprecated by OpenAI for `max_completion_tokens`, which its reasoning models require. */
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning_effort: z.enum(OPENAI_REASONING_EFFORTS).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  user: z.string().optional(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
});
export type OpenAiChatRequest = z.infer<typeof OpenAiChatRequest>;

/** Token counts; compatible servers leave out what they do not count. */
export const OpenAiUsage = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
  /** DeepSeek's prompt-cache split of `prompt_tokens` (hits are read from its cache). */
  prompt_cache_hit_tokens: z.number().nullish(),
  prompt_cache_miss_tokens: z.number().nullish(),
});
export type OpenAiUsage = z.infer<typeof OpenAiUsage>;

export const OpenAiFinishReason = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);
export type OpenAiFinishReason = z.infer<typeof OpenAiFinishReason>;

/**
 * A non-streaming answer (`chat.completion`) as a reader takes it: everything but the choices may
 * be missing from a compatible server, and a finish reason is any string (read as `stop` if unknown).
 */
export const OpenAiChatCompletion = z.looseObject({
  id: z.string().optional(),
  object: z.literal('chat.completion').optional(),
  model: z.string().optional(),
  created: z.number().optional(),
  choices: z.array(
    z.looseObject({
      index: z.number().optional(),
      message: z
        .looseObject({
          role: z.literal('assistant').optional(),
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          /** A compatible server's visible reasoning: DeepSeek, Qwen, Moonshot, vLLM (`reasoning_content`), OpenRouter (`reasoning`). */
          reasoning_content: z.string().nullish(),
          reasoning: z.string().nullish(),
          // A compatible server may leave out a call's `type`; it can only be a function.
          tool_calls: z.array(OpenAiToolCall.extend({ type: z.literal('function').optional() })).nullish(),
        })
        .optional(),
      finish_reason: z.string().nullish(),
      logprobs: z.unknown().optional(),
    }),
  ),
  usage: OpenAiUsage.nullish(),
  system_fingerprint: z.string().nullish(),
});
export type OpenAiChatCompletion = z.infer<typeof OpenAiChatCompletion>;

export const OpenAiToolCallDelta = z.looseObject({
  index: z.number().optional(),
  id: z.string().optional(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
});
export type OpenAiToolCallDelta = z.infer<typeof OpenAiToolCallDelta>;

/** One streamed chunk (`chat.completion.chunk`); a usage-only chunk has empty `choices`. */
export const OpenAiChatChunk = z.looseObject({
  id: z.string().optional(),
  object: z.literal('chat.completion.chunk').optional(),
  model: z.string().optional(),
  created: z.number().optional(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().optional(),
        delta: z
          .looseObject({
            role: z.string().optional(),
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            /** A fragment of a compatible server's visible reasoning (see the completion's). */
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
            tool_calls: z.array(OpenAiToolCallDelta).nullish(),
          })
          .optional(),
        finish_reason: z.string().nullish(),
        logprobs: z.unknown().optional(),
      }),
    )
    .optional(),
  usage: OpenAiUsage.nullish(),
  system_fingerprint: z.string().nullish(),
  /** Some compatible servers report a failure inside the stream. */
  error: z
    .union([
      z.string(),
      z.looseObject({
        message: z.string().optional(),
        type: z.string().optional(),
        code: z.union([z.string(), z.number()]).nullish(),
      }),
    ])
    .optional(),
});
export type OpenAiChatChunk = z.infer<typeof OpenAiChatChunk>;
