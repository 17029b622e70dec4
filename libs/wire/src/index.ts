/*
 * The providers' wire formats, defined once: the inbound APIs in ingress, the provider adapters and
 * the provider simulator all read and write them from here.
 */
export * from './anthropic/messages';
export * from './anthropic/models';
export * from './gemini/embed-content';
export * from './gemini/generate-content';
export * from './openai/chat';
export * from './openai/embeddings';
export * from './openai/errors';
export * from './openai/responses';
export * from './bedrock/converse';
export * from './bedrock/event-stream';
export * from './bedrock/signing';
