import { z } from 'zod';

/**
 * OpenAI's Responses API request (`POST /v1/responses`, `ResponseCreateParams`), defined once:
 * ingress validates inbound bodies with it (adding its bounds and refusing what it cannot serve),
 * and an adapter or the simulator that speaks the Responses API reads and writes the same types.
 * Only what a translator reads is typed: function tools, message, function-call and reasoning items;
 * nested objects ignore unknown fields, a request keeps its unknown top-level ones.
 */

export const ResponsesInputText = z.object({ type: z.literal('input_text'), text: z.string() });
export const ResponsesInputImage = z.object({
  type: z.literal('input_image'),
  detail: z.enum(['auto', 'low', 'high', 'original']).nullish(),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().nullish(),
});
export const ResponsesInputFile = z.object({
  type: z.literal('input_file'),
  file_data: z.string().min(1).optional(),
  file_url: z.string().min(1).optional(),
  file_id: z.string().nullish(),
  filename: z.string().optional(),
});
export const ResponsesOutputText = z.object({ type: z.literal('output_text'), text: z.string() });
export const ResponsesRefusal = z.object({ type: z.literal('refusal'), refusal: z.string() });

/** A part of a message item's content. */
export const ResponsesInputPart = z.discriminatedUnion('type', [
  ResponsesInputText,
  ResponsesInputImage,
  ResponsesInputFile,
  ResponsesOutputText,
  ResponsesRefusal,
]);
export type ResponsesInputPart = z.infer<typeof ResponsesInputPart>;

/** A message; its `type` is optional. */
export const ResponsesMessageItem = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'system', 'developer', 'assistant']),
  content: z.union([z.string(), z.array(ResponsesInputPart)]),
});
export type ResponsesMessageItem = z.infer<typeof ResponsesMessageItem>;

export const ResponsesFunctionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
export type ResponsesFunctionCallItem = z.infer<typeof ResponsesFunctionCallItem>;

export const ResponsesFunctionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([
    z.string(),
    z.array(z.discriminatedUnion('type', [ResponsesInputText, ResponsesInputImage, ResponsesInputFile])),
  ]),
});
export type ResponsesFunctionCallOutputItem = z.infer<typeof ResponsesFunctionCallOutputItem>;

export const ResponsesReasoningItem = z.object({
  type: z.literal('reasoning'),
  summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() })),
  content: z.array(z.object({ type: z.literal('reasoning_text'), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});
export type ResponsesReasoningItem = z.infer<typeof ResponsesReasoningItem>;

/** One input item of the kinds typed here. */
export const ResponsesInputItem = z.union([
  ResponsesMessageItem,
  ResponsesFunctionCallItem,
  ResponsesFunctionCallOutputItem,
  ResponsesReasoningItem,
]);
export type ResponsesInputItem = z.infer<typeof ResponsesInputItem>;

export const ResponsesFunctionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type ResponsesFunctionTool = z.infer<typeof ResponsesFunctionTool>;

export const ResponsesTextFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    description: z.string().optional(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);
export type ResponsesTextFormat = z.infer<typeof ResponsesTextFormat>;

const summary = z.enum(['auto', 'concise', 'detailed']).nullish();

/** The request body; `input` as a string is shorthand for one user message. */
export const ResponsesRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(ResponsesInputItem).min(1)]),
  instructions: z.string().nullish(),
  tools: z.array(ResponsesFunctionTool).optional(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), name: z.string().min(1) })])
    .optional(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z
    .object({ format: ResponsesTextFormat.optional(), verbosity: z.enum(['low', 'medium', 'high']).nullish() })
    .nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  reasoning: z
    .object({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullish(),
      summary,
      generate_summary: summary,
    })
    .nullish(),
  user: z.string().optional(),
  safety_identifier: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_obfuscation: z.boolean().optional() }).nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
  include: z.array(z.string()).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  background: z.boolean().nullish(),
  max_tool_calls: z.number().int().positive().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
});
export type ResponsesRequest = z.infer<typeof ResponsesRequest>;
