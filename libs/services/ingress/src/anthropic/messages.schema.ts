import { ErrorCode, PolymuxException } from '@polymux/contracts';
import {
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessage as AnthropicWireMessage,
  AnthropicMessagesRequest,
  AnthropicRedactedThinkingBlock,
  AnthropicTextBlock,
  AnthropicThinking,
  AnthropicThinkingBlock,
  AnthropicTool,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from '@polymux/wire';
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
 * it: the wire format of `@polymux/wire`, with the gateway's own bounds and leniencies. Unknown
 * top-level fields are kept (they travel in `extra`); unknown block types are refused. Block fields
 * the canonical model has no slot for (`citations` on a replayed text block, a document's
 * `context`) are accepted and not forwarded.
 *
 * Leniencies: an empty text block is accepted (the adapters leave it out), and tool names and ids
 * need not be ones Anthropic accepts (the Anthropic adapter renames them for the call and back);
 * a thinking block's signature may be empty (it is then another provider's, not sent to Anthropic).
 */
const HTTP_URL = /^https?:\/\//;

/** A media block given by URL must name an http(s) URL: the gateway forwards or fetches nothing else. */
const httpSource = (block: AnthropicImageBlock | AnthropicDocumentBlock, context: z.RefinementCtx): void => {
  if (block.source.type === 'url' && !HTTP_URL.test(block.source.url)) {
    context.addIssue({ code: 'custom', path: ['source', 'url'], message: 'must be an http(s) URL' });
  }
};

const TextBlock = AnthropicTextBlock.extend({ text: z.string() });
const ImageBlock = AnthropicImageBlock.superRefine(httpSource);
const DocumentBlock = AnthropicDocumentBlock.superRefine(httpSource);

const ToolResultBlock = AnthropicToolResultBlock.extend({
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [TextBlock, ImageBlock, DocumentBlock]))])
    .optional(),
});

export const ContentBlock = z.discriminatedUnion('type', [
  TextBlock,
  ImageBlock,
  DocumentBlock,
  AnthropicToolUseBlock.extend({ id: z.string().min(1), name: z.string().min(1) }),
  ToolResultBlock,
  AnthropicThinkingBlock.extend({ signature: z.string() }),
  AnthropicRedactedThinkingBlock,
]);
export type ContentBlock = z.infer<typeof ContentBlock>;
export type ToolResultContent = NonNullable<z.infer<typeof ToolResultBlock>['content']>;

export const AnthropicMessage = AnthropicWireMessage.extend({ content: z.union([z.string(), z.array(ContentBlock)]) });
export type AnthropicMessage = z.infer<typeof AnthropicMessage>;

/** Beyond the wire's `enabled` and `disabled`: `adaptive` (the model decides), carried in `extra`. */
const Thinking = z.discriminatedUnion('type', [
  ...AnthropicThinking.options,
  z.looseObject({ type: z.literal('adaptive') }),
]);

/** Anthropic's `output_config`: its effort becomes the canonical reasoning effort, its format a JSON schema. */
const OutputConfig = z.object({
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
  format: z
    .object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })
    .nullable()
    .optional(),
});

/** At most this many stop sequences: bounded, like every list that reaches a provider. */
const MAX_STOP_SEQUENCES = 64;
/** Longer than Anthropic's 64 characters: names from OpenAI callers' conversations are mapped by the adapter. */
const MAX_TOOL_NAME_LENGTH = 128;

const MessagesShape = AnthropicMessagesRequest.extend({
  model: modelName,
  messages: z.array(AnthropicMessage).min(1),
  system: z.union([z.string(), z.array(TextBlock)]).optional(),
  tools: z.array(AnthropicTool.extend({ name: z.string().min(1).max(MAX_TOOL_NAME_LENGTH) })).optional(),
  stop_sequences: AnthropicMessagesRequest.shape.stop_sequences.unwrap().max(MAX_STOP_SEQUENCES).optional(),
  top_k: z.number().int().positive().optional(),
  metadata: z.strictObject({ user_id: endUser.nullable().optional() }).optional(),
  thinking: Thinking.optional(),
  output_config: OutputConfig.optional(),
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
