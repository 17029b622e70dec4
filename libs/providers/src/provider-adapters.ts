import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { BedrockAdapter } from './bedrock/bedrock.adapter';
import { OpenAiAdapter } from './openai/openai.adapter';
import type { ProviderAdapter, UpstreamTimeouts } from './provider-adapter';

/** Every provider family Polymux speaks; a new provider is a folder plus one line here. */
export const createProviderAdapters = (timeouts: UpstreamTimeouts): ProviderAdapter[] => [
  new OpenAiAdapter(timeouts),
  new AnthropicAdapter(timeouts),
  new BedrockAdapter(timeouts),
];
