export { errorFromStatus, errorFromTransport, parseRetryAfter } from './http/upstream-error';
export { OpenAiAdapter } from './openai/openai.adapter';
export type { OpenAiEmbeddingsBody } from './openai/openai.embeddings';
export { toOpenAiRequest } from './openai/openai.request';
export * from './provider-adapter';
export { createProviderAdapters } from './provider-adapters';
export { ProvidersModule } from './providers.module';
export type { Passthrough } from './passthrough';
export { RETENTION_FIELDS, passthrough } from './passthrough';
