import type {
  ResponsesFunctionCallOutputItem,
  ResponsesInputPart,
  ResponsesMessageItem,
  ResponsesReasoningItem,
} from '@polymux/wire';
import { ResponsesFunctionTool, ResponsesInputItem, ResponsesRequest } from '@polymux/wire';
import { z } from 'zod';

import { boundExtraFields, endUser, metadata, modelName, parseBoundedBody } from '../openai/request-bounds';

/**
 * OpenAI Responses request body (`POST /v1/responses`), as the official SDK sends it: the wire
 * format of `@polymux/wire` with the gateway's bounds. Unknown top-level fields are kept and travel
 * in `extra`, passed through where the provider and the project allow. Items and parts the gateway
 * cannot serve (stored files, built-in tools) fail the parse with a 400 naming them.
 */
export type InputPart = ResponsesInputPart;
export type MessageItem = ResponsesMessageItem;
export type FunctionCallOutputItem = ResponsesFunctionCallOutputItem;
export type ReasoningItem = ResponsesReasoningItem;
export type InputItem = ResponsesInputItem;

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
const ServedItem = z.unknown().superRefine((item, context) => {
  const type = typeof item === 'object' && item !== null && 'type' in item ? item.type : undefined;
  if (typeof type === 'string' && SERVER_ITEMS.has(type)) {
    context.addIssue({ code: 'custom', message: `input items of type ${type} are not supported by Polymux` });
  }
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

const ResponsesShape = ResponsesRequest.extend({
  model: modelName,
  // A string is shorthand for one user message; as a list, each item is validated where it stands.
  input: z.preprocess(
    (value) => (typeof value === 'string' ? [{ role: 'user', content: value }] : value),
    z.array(ServedItem.pipe(ResponsesInputItem)).min(1),
  ),
  tools: z.array(ToolSchema.pipe(ResponsesFunctionTool)).optional(),
  user: endUser.optional(),
  safety_identifier: endUser.optional(),
  metadata: metadata.nullish(),
});

/** Fields the mapper translates or refuses; every other field of a body travels in `extra`. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(ResponsesShape.shape));

export const ResponsesBody = ResponsesShape.superRefine(boundExtraFields(KNOWN_FIELDS));
export type ResponsesBody = z.infer<typeof ResponsesBody>;

/** Validates a Responses body; values nested too deep to serialise are refused first. */
export const parseResponsesBody = (body: unknown): ResponsesBody => parseBoundedBody(ResponsesBody, body);
