import { z } from 'zod';

/** The parts of OpenAI's request bodies the simulator reads; unknown fields are accepted and ignored. */

/**
 * The content-part types OpenAI's Chat Completions accepts. Like OpenAI, the simulator refuses any
 * other (a `thinking` block another provider wrote, say), so a gateway that forwards one is caught.
 */
const CONTENT_PART_TYPES = ['text', 'image_url', 'input_audio', 'file', 'refusal'] as const;

const ContentPart = z.looseObject({
  type: z.enum(CONTENT_PART_TYPES),
  text: z.string().optional(),
  image_url: z.looseObject({ url: z.string(), detail: z.string().optional() }).optional(),
});

const ToolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const ChatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(ToolCall).optional(),
  tool_call_id: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

const JsonSchema = z.record(z.string(), z.unknown());

const Tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), parameters: JsonSchema.nullish() }),
});

const ResponseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string(), schema: JsonSchema.nullish(), strict: z.boolean().nullish() }),
  }),
]);

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
]);

const positiveInt = z.number().int().positive();

export const ChatCompletionRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(ChatMessage).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: ToolChoice.nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  response_format: ResponseFormat.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  seed: z.number().int().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high']).nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const EmbeddingRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(8192).optional(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

/** The first problem of a failed parse, in OpenAI's style: a message plus the offending param. */
export const describeIssue = (error: z.ZodError): { message: string; param: string | null } => {
  const issue = error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  return {
    message: param ? `Invalid value for '${param}': ${issue?.message}` : (issue?.message ?? 'Invalid request'),
    param,
  };
};
