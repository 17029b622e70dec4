export { errorFromStatus, errorFromTransport, parseRetryAfter } from './http/upstream-error';
export { ANTHROPIC_BETAS, AnthropicAdapter, messagesUrl } from './anthropic/anthropic.adapter';
export { JSON_TOOL, toAnthropicRequest } from './anthropic/anthropic.request';
// The adapters' pure answer readers, so that ingress's round-trip properties run every inbound
// format against exactly what each adapter makes of its provider's wire answers.
export { toChatResponse as fromAnthropicMessage } from './anthropic/anthropic.response';
export { AnthropicStreamDecoder } from './anthropic/anthropic.stream';
export { BedrockAdapter, converseUrl } from './bedrock/bedrock.adapter';
export { BEDROCK_TOOL_NAMES, isClaudeOnBedrock, toBedrockRequest } from './bedrock/bedrock.request';
export { toChatResponse as fromBedrockConverse } from './bedrock/bedrock.response';
export { BedrockStreamDecoder } from './bedrock/bedrock.stream';
export { toChatChunk as fromOpenAiChunk, toChatResponse as fromOpenAiCompletion } from './openai/openai.response';
export { OpenAiAdapter } from './openai/openai.adapter';
export { toOpenAiRequest } from './openai/openai.request';
export * from './provider-adapter';
export { createProviderAdapters } from './provider-adapters';
export { ProvidersModule } from './providers.module';
export type { Passthrough } from './passthrough';
export { RETENTION_FIELDS, passthrough } from './passthrough';
export type { CanonicalField, DropTarget, UnsupportedFields } from './unsupported-fields';
export { UNSUPPORTED_FIELDS, dropUnsupportedFields, unsupportedFields } from './unsupported-fields';
