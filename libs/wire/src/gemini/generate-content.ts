import { z } from 'zod';

/**
 * Google's `generateContent` wire format (Gemini API `v1beta` and Vertex AI `v1`, which share the
 * body), defined once: the Gemini and Vertex adapters write requests and read answers with these
 * types, the provider simulator validates requests with these schemas. Unknown fields are accepted
 * (Google adds fields; a reader ignores them).
 */

export const GeminiBlob = z.looseObject({ mimeType: z.string().min(1), data: z.string().min(1) });
export const GeminiFileData = z.looseObject({ mimeType: z.string().optional(), fileUri: z.string().min(1) });
export const GeminiFunctionCall = z.looseObject({
  name: z.string().min(1),
  args: z.record(z.string(), z.unknown()).optional(),
  /** Set by the Live API only; `generateContent` calls have no id. */
  id: z.string().optional(),
});
export type GeminiFunctionCall = z.infer<typeof GeminiFunctionCall>;
export const GeminiFunctionResponse = z.looseObject({
  name: z.string().min(1),
  /** `output` holds the result, `error` a failure; without either the whole object is the output. */
  response: z.record(z.string(), z.unknown()),
  id: z.string().optional(),
});
export type GeminiFunctionResponse = z.infer<typeof GeminiFunctionResponse>;

/** The data fields of a part: exactly one of them is set. */
const DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'] as const;

/**
 * One part of a content. `thought` marks a thought summary (with `includeThoughts`);
 * `thoughtSignature` is the model's encrypted reasoning state, on whichever part it came with, and
 * must go back on that same part in the next turn.
 */
export const GeminiPart = z
  .looseObject({
    text: z.string().optional(),
    inlineData: GeminiBlob.optional(),
    fileData: GeminiFileData.optional(),
    functionCall: GeminiFunctionCall.optional(),
    functionResponse: GeminiFunctionResponse.optional(),
    thought: z.boolean().optional(),
    thoughtSignature: z.string().optional(),
  })
  .refine((part) => DATA_FIELDS.filter((field) => part[field] !== undefined).length <= 1, {
    message: `a part holds one of ${DATA_FIELDS.join(', ')}`,
  });
export type GeminiPart = z.infer<typeof GeminiPart>;

export const GeminiContent = z.looseObject({
  role: z.enum(['user', 'model']).optional(),
  parts: z.array(GeminiPart),
});
export type GeminiContent = z.infer<typeof GeminiContent>;

/** The types of Google's OpenAPI-subset `Schema`. */
export const GEMINI_TYPES = ['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT'] as const;
export type GeminiType = (typeof GEMINI_TYPES)[number];

/** An int64 of Google's JSON mapping: a number or its decimal string. */
type Int64 = number | string;
const int64 = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]);

/** Google's `Schema`: the subset of OpenAPI 3.0 that function parameters and `responseSchema` take. */
export interface GeminiSchema {
  type?: GeminiType;
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  items?: GeminiSchema;
  minItems?: Int64;
  maxItems?: Int64;
  properties?: Record<string, GeminiSchema>;
  required?: string[];
  propertyOrdering?: string[];
  minProperties?: Int64;
  maxProperties?: Int64;
  minLength?: Int64;
  maxLength?: Int64;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: GeminiSchema[];
  default?: unknown;
  example?: unknown;
}

export const GeminiSchemaShape: z.ZodType<GeminiSchema> = z.lazy(() =>
  z.looseObject({
    type: z.enum(GEMINI_TYPES).optional(),
    format: z.string().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    nullable: z.boolean().optional(),
    enum: z.array(z.string()).optional(),
    items: GeminiSchemaShape.optional(),
    minItems: int64.optional(),
    maxItems: int64.optional(),
    properties: z.record(z.string(), GeminiSchemaShape).optional(),
    required: z.array(z.string()).optional(),
    propertyOrdering: z.array(z.string()).optional(),
    minProperties: int64.optional(),
    maxProperties: int64.optional(),
    minLength: int64.optional(),
    maxLength: int64.optional(),
    pattern: z.string().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    anyOf: z.array(GeminiSchemaShape).optional(),
    default: z.unknown().optional(),
    example: z.unknown().optional(),
  }),
);

/** Function names Google accepts: a letter or underscore, then letters, digits, `_`, `.`, `:` or `-`, at most 64. */
export const GEMINI_FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

export const GeminiFunctionDeclaration = z.looseObject({
  name: z.string().regex(GEMINI_FUNCTION_NAME),
  description: z.string().optional(),
  parameters: GeminiSchemaShape.optional(),
});
export type GeminiFunctionDeclaration = z.infer<typeof GeminiFunctionDeclaration>;

export const GeminiTool = z.looseObject({ functionDeclarations: z.array(GeminiFunctionDeclaration).optional() });
export type GeminiTool = z.infer<typeof GeminiTool>;

export const GeminiToolConfig = z.looseObject({
  functionCallingConfig: z
    .looseObject({
      mode: z.enum(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']).optional(),
      allowedFunctionNames: z.array(z.string()).optional(),
    })
    .optional(),
});
export type GeminiToolConfig = z.infer<typeof GeminiToolConfig>;

export const GeminiThinkingConfig = z.looseObject({
  includeThoughts: z.boolean().optional(),
  /** Tokens the model may think; 0 turns thinking off (where the model allows), -1 lets it decide. */
  thinkingBudget: z.number().int().min(-1).optional(),
});
export type GeminiThinkingConfig = z.infer<typeof GeminiThinkingConfig>;

export const GeminiGenerationConfig = z.looseObject({
  stopSequences: z.array(z.string()).max(5).optional(),
  responseMimeType: z.string().optional(),
  responseSchema: GeminiSchemaShape.optional(),
  candidateCount: z.number().int().min(1).max(8).optional(),
  maxOutputTokens: z.number().int().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().min(1).optional(),
  seed: z.number().int().optional(),
  presencePenalty: z.number().optional(),
  frequencyPenalty: z.number().optional(),
  thinkingConfig: GeminiThinkingConfig.optional(),
});
export type GeminiGenerationConfig = z.infer<typeof GeminiGenerationConfig>;

/** The body of `models/{model}:generateContent` and `:streamGenerateContent`. */
export const GeminiGenerateContentRequest = z.looseObject({
  contents: z.array(GeminiContent).min(1),
  systemInstruction: GeminiContent.optional(),
  tools: z.array(GeminiTool).optional(),
  toolConfig: GeminiToolConfig.optional(),
  generationConfig: GeminiGenerationConfig.optional(),
  safetySettings: z.array(z.looseObject({ category: z.string(), threshold: z.string() })).optional(),
});
export type GeminiGenerateContentRequest = z.infer<typeof GeminiGenerateContentRequest>;

export type GeminiFinishReason =
  | 'FINISH_REASON_UNSPECIFIED'
  | 'STOP'
  | 'MAX_TOKENS'
  | 'SAFETY'
  | 'RECITATION'
  | 'LANGUAGE'
  | 'OTHER'
  | 'BLOCKLIST'
  | 'PROHIBITED_CONTENT'
  | 'SPII'
  | 'MALFORMED_FUNCTION_CALL'
  | 'IMAGE_SAFETY'
  | 'UNEXPECTED_TOOL_CALL'
  | 'TOO_MANY_TOOL_CALLS';

export interface GeminiUsageMetadata {
  /** Every prompt token, those read from a cached content included. */
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  /** The answer's tokens, thoughts excluded. */
  candidatesTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: GeminiFinishReason | string;
  index?: number;
  safetyRatings?: unknown[];
}

/** The answer of `generateContent`, and each chunk of `streamGenerateContent`. */
export interface GeminiGenerateContentResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; safetyRatings?: unknown[] };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

/** Google's canonical error codes, by the HTTP status that carries them. */
export type GoogleErrorStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'UNKNOWN';

/** `{"error":{code,message,status,details}}`, the error body of every Google API. */
export interface GoogleErrorBody {
  error: { code: number; message: string; status: GoogleErrorStatus; details?: Array<Record<string, unknown>> };
}

/** The `@type` of the error detail that says how long to wait (`retryDelay`, e.g. `"3s"`). */
export const GOOGLE_RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/** The status Google answers with an HTTP status. */
export const googleErrorStatus = (status: number): GoogleErrorStatus => {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
};
