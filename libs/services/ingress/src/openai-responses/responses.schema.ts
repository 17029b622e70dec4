import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { parseBody } from '@polymux/http';
import { z } from 'zod';

import {
  FIELD_NAME,
  MAX_EXTRA_FIELDS,
  MAX_JSON_DEPTH,
  endUser,
  metadata,
  modelName,
  nestsDeeperThan,
} from '../openai/request-bounds';

/**
 * OpenAI Responses request body (`POST /v1/responses`), as the official SDK sends it
 * (`ResponseCreateParams`). Only what Polymux translates is typed; unknown top-level fields are
 * kept and travel in `extra`, passed through where the provider and the project allow. Items and
 * parts the gateway cannot serve (stored files, built-in tools) fail the parse with a 400 naming them.
 */

const InputText = z.object({ type: z.literal('input_text'), text: z.string() });
const InputImage = z.object({
  type: z.literal('input_image'),
  detail: z.enum(['auto', 'low', 'high', 'original']).nullable().optional(),
  image_url: z.string().min(1).nullable().optional(),
  file_id: z.string().nullable().optional(),
});
const InputFile = z.object({
  type: z.literal('input_file'),
  file_data: z.string().min(1).optional(),
  file_url: z.string().min(1).optional(),
  file_id: z.string().nullable().optional(),
  filename: z.string().optional(),
});
const OutputText = z.object({ type: z.literal('output_text'), text: z.string() });
const Refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });

export const InputPart = z.discriminatedUnion('type', [InputText, InputImage, InputFile, OutputText, Refusal]);
export type InputPart = z.infer<typeof InputPart>;

const MessageItem = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'system', 'developer', 'assistant']),
  content: z.union([z.string(), z.array(InputPart)]),
});
const FunctionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const FunctionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [InputText, InputImage, InputFile]))]),
});
const ReasoningItem = z.object({
  type: z.literal('reasoning'),
  summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() })),
  content: z
    .array(z.object({ type: z.literal('reasoning_text'), text: z.string() }))
    .nullable()
    .optional(),
  encrypted_content: z.string().nullable().optional(),
});

export type MessageItem = z.infer<typeof MessageItem>;
export type FunctionCallOutputItem = z.infer<typeof FunctionCallOutputItem>;
export type ReasoningItem = z.infer<typeof ReasoningItem>;

/** Item types of the Responses API that only OpenAI's own servers can act on (their tools, their state). */
const SERVER_ITEMS = new Set([
  'item_reference',
  'file_search_call',
  'web_search_call',
  'computer_call',
  'computer_call_output',
  'code_interpreter_call',
  'image_generation_call',
  'local_shell_call',
  'local_shell_call_output',
  'shell_call',
  'shell_call_output',
  'mcp_call',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'custom_tool_call',
  'custom_tool_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
]);

/** One input item: a message (its `type` is optional), a function call and its output, or reasoning. */
export const InputItem = z.unknown().superRefine((item, context) => {
  const type = typeof item === 'object' && item !== null && 'type' in item ? item.type : undefined;
  if (typeof type === 'string' && SERVER_ITEMS.has(type)) {
    context.addIssue({ code: 'custom', message: `input items of type ${type} are not supported by Polymux` });
  }
});
const Item = z.union([MessageItem, FunctionCallItem, FunctionCallOutputItem, ReasoningItem]);
export type InputItem = z.infer<typeof Item>;

const FunctionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});
/** Function tools only: OpenAI's built-in tools (web search, file search, code interpreter, …) run on OpenAI's servers. */
const ToolSchema = z.unknown().superRefine((tool, context) => {
  const type = typeof tool === 'object' && tool !== null && 'type' in tool ? tool.type : undefined;
  if (type !== 'function') {
    context.addIssue({
      code: 'custom',
      message: `${typeof type === 'string' ? `the built-in tool ${type} is` : 'tools other than function tools are'} not supported by Polymux; declare a function tool instead`,
    });
  }
});

const TextFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    description: z.string().optional(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullable().optional(),
  }),
]);

const ResponsesShape = z.looseObject({
  model: modelName,
  // A string is shorthand for one user message; as a list, each item is validated where it stands.
  input: z.preprocess(
    (value) => (typeof value === 'string' ? [{ role: 'user', content: value }] : value),
    z.array(InputItem.pipe(Item)).min(1),
  ),
  instructions: z.string().nullable().optional(),
  tools: z.array(ToolSchema.pipe(FunctionTool)).optional(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), name: z.string().min(1) })])
    .optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z
    .object({ format: TextFormat.optional(), verbosity: z.enum(['low', 'medium', 'high']).nullable().optional() })
    .nullable()
    .optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  reasoning: z
    .object({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullable().optional(),
      generate_summary: z.enum(['auto', 'concise', 'detailed']).nullable().optional(),
    })
    .nullable()
    .optional(),
  user: endUser.optional(),
  safety_identifier: endUser.optional(),
  metadata: metadata.nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_obfuscation: z.boolean().optional() }).nullable().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
  include: z.array(z.string()).nullable().optional(),
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  background: z.boolean().nullable().optional(),
  max_tool_calls: z.number().int().positive().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
});

/** Fields the mapper translates or refuses; every other field of a body travels in `extra`. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(ResponsesShape.shape));

export const ResponsesBody = ResponsesShape.superRefine((body, context) => {
  const extra = Object.keys(body).filter((field) => !KNOWN_FIELDS.has(field));
  if (extra.some((field) => !FIELD_NAME.test(field))) {
    context.addIssue({ code: 'custom', message: 'unknown field names must be identifiers of up to 64 characters' });
  } else if (extra.length > MAX_EXTRA_FIELDS) {
    context.addIssue({ code: 'custom', message: `at most ${MAX_EXTRA_FIELDS} fields besides the known ones` });
  }
});
export type ResponsesBody = z.infer<typeof ResponsesBody>;

/** Validates a Responses body; values nested too deep to serialise are refused first. */
export const parseResponsesBody = (body: unknown): ResponsesBody => {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new PolymuxException(ErrorCode.InvalidRequest, `the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return parseBody(ResponsesBody, body);
};
