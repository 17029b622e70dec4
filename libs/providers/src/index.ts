export { createGuardedAgent, guardedDispatcher } from './http/guarded-agent';
export { errorFromStatus, errorFromTransport, parseRetryAfter } from './http/upstream-error';
export { ANTHROPIC_BETAS, AnthropicAdapter, messagesUrl } from './anthropic/anthropic.adapter';
export { JSON_TOOL, toAnthropicRequest } from './anthropic/anthropic.request';
// The adapters' pure answer readers, so that ingress's round-trip properties run every inbound
// format against exactly what each adapter makes of its provider's wire answers.
export { toChatResponse as fromAnthropicMessage } from './anthropic/anthropic.response';
export { AnthropicStreamDecoder } from './anthropic/anthropic.stream';
export { GeminiAdapter, geminiUrl } from './gemini/gemini.adapter';
export { toGeminiRequest } from './gemini/gemini.request';
export { toChatResponse as fromGeminiResponse } from './gemini/gemini.response';
export { GeminiStreamDecoder } from './gemini/gemini.stream';
export { toGeminiSchema } from './gemini/gemini.schema';
export { VertexAdapter, vertexUrl } from './vertex/vertex.adapter';
export { BedrockAdapter, converseUrl } from './bedrock/bedrock.adapter';
export { BEDROCK_TOOL_NAMES, isClaudeOnBedrock, toBedrockRequest } from './bedrock/bedrock.request';
export { toChatResponse as fromBedrockConverse } from './bedrock/bedrock.response';
export { BedrockStreamDecoder } from './bedrock/bedrock.stream';
export { toChatChunk as fromOpenAiChunk, toChatResponse as fromOpenAiCompletion } from './openai/openai.response';
export { OpenAiAdapter } from './openai/openai.adapter';
export { toOpenAiRequest } from './openai/openai.request';
export { OPENAI_TOOL_NAMES } from './openai/openai.names';
// A preset's dialect (its body hooks), for the request round-trip properties' generic-server row.
export { presetDialect } from './openai-compatible/presets';
export type { ToolNameRules } from './tool-names';
export { ToolNames } from './tool-names';
export * from './provider-adapter';
export { createProviderAdapters } from './provider-adapters';
export { ProvidersModule } from './providers.module';
export type { Passthrough } from './passthrough';
export { RETENTION_FIELDS, passthrough } from './passthrough';
export type { CanonicalField, DropTarget, UnsupportedFields } from './unsupported-fields';
export { UNSUPPORTED_FIELDS, dropUnsupportedFields, unsupportedFields } from './unsupported-fields';
export type { DataRetention, RetentionDefault } from './data-retention';
export { RETENTION_DEFAULTS, dataRetentionOf, providerRetainsData } from './data-retention';
