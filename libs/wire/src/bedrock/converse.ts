import { z } from 'zod';

/**
 * Amazon Bedrock's Converse API wire format (`POST /model/{modelId}/converse` and
 * `/converse-stream`), defined once: the Bedrock adapter writes requests and reads answers with
 * these types, the provider simulator validates requests with these schemas. Bedrock refuses a
 * member it does not know ("extraneous key"), so request objects are strict; each content block is
 * an object with exactly one member naming its kind.
 */

/** Tool names Bedrock accepts. */
export const BEDROCK_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** Tool-use ids Bedrock accepts. */
export const BEDROCK_TOOL_USE_ID = /^[a-zA-Z0-9_-]{1,64}$/;
/**
 * Document names Bedrock accepts: letters, digits, single spaces, hyphens, parentheses and square
 * brackets (a name is also a prompt-injection surface, so Bedrock keeps it plain).
 */
export const BEDROCK_DOCUMENT_NAME = /^(?!.* {2})[A-Za-z0-9 ()[\]-]{1,200}$/;

const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 bytes');

export const BedrockImageFormat = z.enum(['png', 'jpeg', 'gif', 'webp']);
export type BedrockImageFormat = z.infer<typeof BedrockImageFormat>;
export const BedrockDocumentFormat = z.enum(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md']);
export type BedrockDocumentFormat = z.infer<typeof BedrockDocumentFormat>;

export const BedrockTextBlock = z.strictObject({ text: z.string().min(1) });
export const BedrockImageBlock = z.strictObject({
  image: z.strictObject({ format: BedrockImageFormat, source: z.strictObject({ bytes: base64 }) }),
});
export type BedrockImageBlock = z.infer<typeof BedrockImageBlock>;
export const BedrockDocumentBlock = z.strictObject({
  document: z.strictObject({
    format: BedrockDocumentFormat,
    name: z.string().regex(BEDROCK_DOCUMENT_NAME),
    source: z.strictObject({ bytes: base64 }),
  }),
});
export type BedrockDocumentBlock = z.infer<typeof BedrockDocumentBlock>;
/** A prompt-caching checkpoint: everything before it is cached. */
export const BedrockCachePointBlock = z.strictObject({
  cachePoint: z.strictObject({ type: z.literal('default'), ttl: z.enum(['5m', '1h']).optional() }),
});
export type BedrockCachePointBlock = z.infer<typeof BedrockCachePointBlock>;

export const BedrockToolUseBlock = z.strictObject({
  toolUse: z.strictObject({
    toolUseId: z.string().regex(BEDROCK_TOOL_USE_ID),
    name: z.string().regex(BEDROCK_TOOL_NAME),
    input: z.unknown(),
  }),
});
export type BedrockToolUseBlock = z.infer<typeof BedrockToolUseBlock>;

export const BedrockToolResultContent = z.union([
  BedrockTextBlock,
  BedrockImageBlock,
  BedrockDocumentBlock,
  z.strictObject({ json: z.unknown() }),
]);
export type BedrockToolResultContent = z.infer<typeof BedrockToolResultContent>;
export const BedrockToolResultBlock = z.strictObject({
  toolResult: z.strictObject({
    toolUseId: z.string().regex(BEDROCK_TOOL_USE_ID),
    content: z.array(BedrockToolResultContent),
    status: z.enum(['success', 'error']).optional(),
  }),
});
export type BedrockToolResultBlock = z.infer<typeof BedrockToolResultBlock>;

/** A model's reasoning, sent back with the signature the model wrote (Claude checks it), or encrypted. */
export const BedrockReasoningBlock = z.strictObject({
  reasoningContent: z.union([
    z.strictObject({ reasoningText: z.strictObject({ text: z.string(), signature: z.string().min(1).optional() }) }),
    z.strictObject({ redactedContent: base64 }),
  ]),
});
export type BedrockReasoningBlock = z.infer<typeof BedrockReasoningBlock>;

export const BedrockContentBlock = z.union([
  BedrockTextBlock,
  BedrockImageBlock,
  BedrockDocumentBlock,
  BedrockToolUseBlock,
  BedrockToolResultBlock,
  BedrockReasoningBlock,
  BedrockCachePointBlock,
]);
export type BedrockContentBlock = z.infer<typeof BedrockContentBlock>;

export const BedrockMessage = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.array(BedrockContentBlock).min(1),
});
export type BedrockMessage = z.infer<typeof BedrockMessage>;

export const BedrockSystemBlock = z.union([BedrockTextBlock, BedrockCachePointBlock]);
export type BedrockSystemBlock = z.infer<typeof BedrockSystemBlock>;

export const BedrockTool = z.union([
  z.strictObject({
    toolSpec: z.strictObject({
      name: z.string().regex(BEDROCK_TOOL_NAME),
      description: z.string().min(1).optional(),
      inputSchema: z.strictObject({ json: z.record(z.string(), z.unknown()) }),
    }),
  }),
  BedrockCachePointBlock,
]);
export type BedrockTool = z.infer<typeof BedrockTool>;

export const BedrockToolChoice = z.union([
  z.strictObject({ auto: z.strictObject({}) }),
  z.strictObject({ any: z.strictObject({}) }),
  z.strictObject({ tool: z.strictObject({ name: z.string().regex(BEDROCK_TOOL_NAME) }) }),
]);
export type BedrockToolChoice = z.infer<typeof BedrockToolChoice>;

export const BedrockInferenceConfig = z.strictObject({
  maxTokens: z.number().int().min(1).optional(),
  temperature: z.number().min(0).max(1).optional(),
  topP: z.number().min(0).max(1).optional(),
  stopSequences: z.array(z.string().min(1)).max(4).optional(),
});
export type BedrockInferenceConfig = z.infer<typeof BedrockInferenceConfig>;

/** The body of Converse and ConverseStream (the model is in the path). */
export const BedrockConverseRequest = z.strictObject({
  messages: z.array(BedrockMessage).min(1),
  system: z.array(BedrockSystemBlock).optional(),
  inferenceConfig: BedrockInferenceConfig.optional(),
  toolConfig: z
    .strictObject({ tools: z.array(BedrockTool).min(1), toolChoice: BedrockToolChoice.optional() })
    .optional(),
  /** Model-family fields Converse has no member for (`top_k`, Claude's `thinking`), passed to the model as they are. */
  additionalModelRequestFields: z.record(z.string(), z.unknown()).optional(),
  additionalModelResponseFieldPaths: z.array(z.string()).optional(),
});
export type BedrockConverseRequest = z.infer<typeof BedrockConverseRequest>;

export type BedrockStopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'malformed_model_output'
  | 'malformed_tool_use'
  | 'model_context_window_exceeded';

/** Bedrock's usage: `inputTokens` leaves out the tokens read from and written to the cache. */
export interface BedrockUsage {
  inputTokens?: number | null;
  outputTokens?: number | null;
  totalTokens?: number | null;
  cacheReadInputTokens?: number | null;
  cacheWriteInputTokens?: number | null;
}

/** A block of an answer: what the model writes. */
export type BedrockResponseBlock =
  | { text: string }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string } };

/** The answer of Converse. */
export interface BedrockConverseResponse {
  output: { message: { role: 'assistant'; content: BedrockResponseBlock[] } };
  stopReason: BedrockStopReason;
  usage: BedrockUsage;
  metrics?: { latencyMs: number };
  additionalModelResponseFields?: Record<string, unknown>;
}

/** A fragment of a streamed block. */
export type BedrockDelta =
  | { text: string }
  | { toolUse: { input: string } }
  | { reasoningContent: { text: string } | { signature: string } | { redactedContent: string } };

/** The events of ConverseStream, each the JSON payload of an event-stream message named by its `:event-type`. */
export interface BedrockStreamEvents {
  messageStart: { role: 'assistant' };
  contentBlockStart: { contentBlockIndex: number; start: { toolUse: { toolUseId: string; name: string } } };
  contentBlockDelta: { contentBlockIndex: number; delta: BedrockDelta };
  contentBlockStop: { contentBlockIndex: number };
  messageStop: { stopReason: BedrockStopReason; additionalModelResponseFields?: Record<string, unknown> };
  metadata: { usage: BedrockUsage; metrics?: { latencyMs: number } };
}
export type BedrockStreamEventType = keyof BedrockStreamEvents;
export type BedrockStreamEvent = {
  [Type in BedrockStreamEventType]: { type: Type; payload: BedrockStreamEvents[Type] };
}[BedrockStreamEventType];

/** The exceptions ConverseStream reports mid-stream, as `:exception-type` names them. */
export type BedrockStreamException =
  | 'internalServerException'
  | 'modelStreamErrorException'
  | 'validationException'
  | 'throttlingException'
  | 'serviceUnavailableException';

/** Bedrock's error types (`x-amzn-errortype`), by the HTTP status that carries them. */
export type BedrockErrorType =
  | 'ValidationException'
  | 'AccessDeniedException'
  | 'ResourceNotFoundException'
  | 'ModelTimeoutException'
  | 'ModelErrorException'
  | 'ThrottlingException'
  | 'InternalServerException'
  | 'ServiceUnavailableException';

/** `{"message": …}`, Bedrock's error body; the type travels in the `x-amzn-errortype` header. */
export interface BedrockErrorBody {
  message: string;
}

/** The error type Bedrock answers with a status. */
export const bedrockErrorType = (status: number): BedrockErrorType => {
  switch (status) {
    case 403:
      return 'AccessDeniedException';
    case 404:
      return 'ResourceNotFoundException';
    case 408:
      return 'ModelTimeoutException';
    case 424:
      return 'ModelErrorException';
    case 429:
      return 'ThrottlingException';
    case 503:
      return 'ServiceUnavailableException';
    default:
      return status >= 500 ? 'InternalServerException' : 'ValidationException';
  }
};

/** The path of a model's Converse endpoint; the model id (an ARN, an inference profile) is one encoded segment. */
export const bedrockConversePath = (modelId: string, stream: boolean): string =>
  `/model/${encodeURIComponent(modelId)}/${stream ? 'converse-stream' : 'converse'}`;
