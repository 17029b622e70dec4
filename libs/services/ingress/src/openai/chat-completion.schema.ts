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
} from './request-bounds';

/**
 * A value Polymux refuses with a clear 400 wherever it appears (OpenAI accepts it, Polymux cannot
 * honour it); the issue's path names the field as `param`.
 */
const unsupported = (message: string) =>
  z.unknown().superRefine((_value, context) => context.addIssue({ code: 'custom', message }));

/** `data:<media type>[;base64],…`: the media type is what a document part needs. */
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)[;,]/;

/** The media type of a `data:` URL, undefined for anything else. */
export const dataUrlMediaType = (url: string): string | undefined => DATA_URL.exec(url)?.[1];

/** OpenAI Chat Completions request body, as the official SDKs send it. Unknown fields are kept. */
const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const ImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
/** A file inline as a `data:` URL (a PDF); uploaded files (`file_id`) would need state Polymux does not keep. */
const FilePart = z.object({
  type: z.literal('file'),
  // file_data is optional in the shape so that a part with only a file_id is refused for it.
  file: z
    .object({
      file_id: unsupported('uploaded files are not supported: send the file inline as file_data').optional(),
      file_data: z
        .string()
        .refine(
          (url) => dataUrlMediaType(url) !== undefined,
          'must be a data: URL such as data:application/pdf;base64,…',
        )
        .optional(),
      filename: z.string().optional(),
    })
    .superRefine((file, context) => {
      if (file.file_data === undefined && file.file_id === undefined) {
        context.addIssue({ code: 'custom', path: ['file_data'], message: 'file_data is required' });
      }
    }),
});
const AudioPart = z.object({
  type: z.literal('input_audio'),
  input_audio: unsupported('audio input is not supported'),
});
const UserPart = z.discriminatedUnion('type', [TextPart, ImagePart, FilePart, AudioPart]);
const textContent = z.union([z.string(), z.array(TextPart)]);
/** An assistant turn may quote its own earlier refusal as a part. */
const RefusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
const assistantContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [TextPart, RefusalPart]))]);

const ToolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const OpenAiMessage = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: textContent, name: z.string().optional() }),
  z.object({ role: z.literal('developer'), content: textContent, name: z.string().optional() }),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(UserPart)]), name: z.string().optional() }),
  z.object({
    role: z.literal('assistant'),
    content: assistantContent.nullable().optional(),
    name: z.string().optional(),
    refusal: z.string().nullable().optional(),
    tool_calls: z.array(ToolCall).optional(),
    audio: unsupported('audio output is not supported, so no earlier audio answer can be sent back')
      .nullable()
      .optional(),
  }),
  z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() }),
]);
export type OpenAiMessage = z.infer<typeof OpenAiMessage>;

const ChatCompletionShape = z.looseObject({
  model: modelName,
  messages: z.array(OpenAiMessage).min(1),
  tools: z
    .array(
      z.object({
        type: z.literal('function'),
        function: z.object({
          name: z.string().min(1),
          description: z.string().optional(),
          parameters: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        }),
      }),
    )
    .optional(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({
          name: z.string(),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        }),
      }),
    ])
    .optional(),
  /** When both limits are given, `max_completion_tokens` wins (OpenAI deprecated `max_tokens` for it). */
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  /** Not OpenAI's: vLLM and other compatible servers take it; carried as canonical `topK`. */
  top_k: z.number().int().positive().nullable().optional(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high']).nullable().optional(),
  stop: z
    .union([z.string(), z.array(z.string()).max(4)])
    .nullable()
    .optional(),
  seed: z.number().int().nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  user: endUser.optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  // Validated here, carried in `extra`: they pass through only where the provider and project allow.
  metadata: metadata.nullable().optional(),
  store: z.boolean().nullable().optional(),
});

/** Fields validated above that have no canonical slot and travel in `extra` like unknown ones. */
const PASSED_THROUGH = new Set(['metadata', 'store']);

/** Fields the canonical model carries; everything else in a body travels in `extra`. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(
  Object.keys(ChatCompletionShape.shape).filter((field) => !PASSED_THROUGH.has(field)),
);

export const ChatCompletionBody = ChatCompletionShape.superRefine((body, context) => {
  if (body.top_logprobs != null && body.logprobs !== true) {
    context.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'top_logprobs requires logprobs to be true' });
  }
  const extra = Object.keys(body).filter((field) => !KNOWN_FIELDS.has(field));
  const badName = extra.find((field) => !FIELD_NAME.test(field));
  if (badName !== undefined) {
    context.addIssue({ code: 'custom', message: 'unknown field names must be identifiers of up to 64 characters' });
  } else if (extra.length > MAX_EXTRA_FIELDS) {
    context.addIssue({ code: 'custom', message: `at most ${MAX_EXTRA_FIELDS} fields besides the known ones` });
  }
});
export type ChatCompletionBody = z.infer<typeof ChatCompletionBody>;

/** Validates a Chat Completions body; values nested too deep to serialise are refused first. */
export const parseChatCompletionBody = (body: unknown): ChatCompletionBody => {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new PolymuxException(ErrorCode.InvalidRequest, `the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return parseBody(ChatCompletionBody, body);
};
