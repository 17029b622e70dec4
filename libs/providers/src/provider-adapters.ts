import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { GeminiAdapter } from './gemini/gemini.adapter';
import { OpenAiAdapter } from './openai/openai.adapter';
import type { ProviderAdapter, UpstreamTimeouts } from './provider-adapter';
import { VertexAdapter } from './vertex/vertex.adapter';

/** Every provider family Polymux speaks; a new provider is a folder plus one line here. */
export const createProviderAdapters = (timeouts: UpstreamTimeouts): ProviderAdapter[] => [
  new OpenAiAdapter(timeouts),
  new AnthropicAdapter(timeouts),
  new GeminiAdapter(timeouts),
  new VertexAdapter(timeouts),
];
