import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { z } from 'zod';

import {
  MAX_JSON_DEPTH,
  boundExtraFields,
  endUser,
  modelName,
  nestsDeeperThan,
  parseBoundedBody,
} from '../openai/request-bounds';

/**
 * Anthropic Messages request body (`POST /v1/messages`), as the official `@anthropic-ai/sdk` sends
 * it. Unknown top-level fields are kept (they travel in `extra`); unknown block types are refused.
 * Block fields the canonical model has no slot for (`citations` on a replayed text block, a
 * document's `context`) are accepted and not forwarded.
 */
const CacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });
const cacheControl = CacheControl.nullable().optional();

const TextBlock = z.object({
  type: z.literal('text'),
  text: z.string(),
  cache_control: cacheControl,
  citations: z.array(z.unknown()).nullable().optional(),
});

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
const ImageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.enum(IMAGE_TYPES), data: z.string().min(1) }),
    z.object({ type: z.literal('url'), url: z.string().regex(/^https?:\/\//, 'must be an http(s) URL') }),
  ]),
  cache_control: cacheControl,
});

const DocumentBlock = z.object({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.literal('application/pdf'), data: z.string().min(1) }),
    z.object({ type: z.literal('text'), media_type: z.literal('text/plain'), data: z.string() }),
    z.object({ type: z.literal('url'), url: z.string().regex(/^https?:\/\//, 'must be an http(s) URL') }),
  ]),
  title: z.string().nullable().optional(),
  context: z.string().nullable().optional(),
  citations: z.unknown().optional(),
  cache_control: cacheControl,
});

const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [TextBlock, ImageBlock, DocumentBlock]))])
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const ThinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
const RedactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

export const ContentBlock = z.discriminatedUnion('type', [
  TextBlock,
  ImageBlock,
  DocumentBlock,
  ToolUseBlock,
  ToolResultBlock,
  ThinkingBlock,
  RedactedThinkingBlock,
]);
export type ContentBlock = z.infer<typeof ContentBlock>;
export type ToolResultContent = NonNullable<z.infer<typeof ToolResultBlock>['content']>;

export const AnthropicMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(ContentBlock)]),
});
export type AnthropicMessage = z.infer<typeof AnthropicMessage>;

const CustomTool = z.object({
  type: z.literal('custom').nullable().optional(),
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }),
  cache_control: cacheControl,
});

const disableParallel = { disable_parallel_tool_use: z.boolean().optional() };
const ToolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), ...disableParallel }),
  z.object({ type: z.literal('any'), ...disableParallel }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), ...disableParallel }),
  z.object({ type: z.literal('none') }),
]);

/** Anthropic's own minimum thinking budget. */
const MIN_THINKING_BUDGET = 1024;
const Thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(MIN_THINKING_BUDGET) }),
  z.object({ type: z.literal('disabled') }),
  z.looseObject({ type: z.literal('adaptive') }),
]);

const OutputConfig = z.object({
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
  format: z
    .object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })
    .nullable()
    .optional(),
});

/** At most this many stop sequences: bounded, like every list that reaches a provider. */
const MAX_STOP_SEQUENCES = 64;

const MessagesShape = z.looseObject({
  model: modelName,
  max_tokens: z.number().int().positive(),
  messages: z.array(AnthropicMessage).min(1),
  system: z.union([z.string(), z.array(TextBlock)]).optional(),
  tools: z.array(CustomTool).optional(),
  tool_choice: ToolChoice.optional(),
  stop_sequences: z.array(z.string().min(1)).max(MAX_STOP_SEQUENCES).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().positive().optional(),
  metadata: z.strictObject({ user_id: endUser.nullable().optional() }).optional(),
  thinking: Thinking.optional(),
  output_config: OutputConfig.optional(),
  stream: z.boolean().optional(),
});

/** Fields the canonical model carries; everything else in a body travels in `extra`. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(MessagesShape.shape));

const boundExtra = boundExtraFields(KNOWN_FIELDS);

export const MessagesBody = MessagesShape.superRefine(boundExtra);
export type MessagesBody = z.infer<typeof MessagesBody>;

/** `POST /v1/messages/count_tokens`: a Messages body without an output limit (nothing is generated). */
export const CountTokensBody = MessagesShape.partial({ max_tokens: true }).superRefine(boundExtra);
export type CountTokensBody = z.infer<typeof CountTokensBody>;

/**
 * Refusals with a clearer message than a schema mismatch: Anthropic's server tools (`web_search`,
 * `code_execution`, …) run at Anthropic and cannot be honoured by every provider, and `n` is not
 * part of the Messages API (it always answers one message).
 */
const refuseUnsupported = (body: Record<string, unknown>): void => {
  if ('n' in body) {
    throw new PolymuxException(
      ErrorCode.InvalidRequest,
      'n: the Messages API answers one message; n is not supported',
      {
        param: 'n',
      },
    );
  }
  if (!Array.isArray(body.tools)) return;
  body.tools.forEach((tool: unknown, index) => {
    const type = typeof tool === 'object' && tool !== null ? (tool as { type?: unknown }).type : undefined;
    if (typeof type === 'string' && type !== 'custom') {
      throw new PolymuxException(
        ErrorCode.InvalidRequest,
        `tools.${index}: server tools (${type.slice(0, 64)}) are not supported; declare a custom tool with an input_schema`,
        { param: `tools.${index}.type` },
      );
    }
  });
};

const parseWith = <T extends z.ZodType>(schema: T, body: unknown): z.infer<T> => {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && !nestsDeeperThan(body, MAX_JSON_DEPTH))
    refuseUnsupported(body as Record<string, unknown>);
  return parseBoundedBody(schema, body);
};

/** Validates a Messages body; values nested too deep to serialise are refused first. */
export const parseMessagesBody = (body: unknown): MessagesBody => parseWith(MessagesBody, body);

/** Validates a `count_tokens` body, by the same rules. */
export const parseCountTokensBody = (body: unknown): CountTokensBody => parseWith(CountTokensBody, body);
