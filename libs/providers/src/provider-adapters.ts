import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { AzureAdapter } from './azure/azure.adapter';
import { BedrockAdapter } from './bedrock/bedrock.adapter';
import { GeminiAdapter } from './gemini/gemini.adapter';
import { PRESET_NAMES, presetDialect } from './openai-compatible/presets';
import { OpenAiAdapter } from './openai/openai.adapter';
import type { ProviderAdapter, UpstreamTimeouts } from './provider-adapter';
import { VertexAdapter } from './vertex/vertex.adapter';

/** Every provider family Polymux speaks; a new provider is a folder plus one line here (a preset, a row). */
export const createProviderAdapters = (timeouts: UpstreamTimeouts): ProviderAdapter[] => [
  new OpenAiAdapter(timeouts),
  new AnthropicAdapter(timeouts),
  new AzureAdapter(timeouts),
  ...PRESET_NAMES.map((name) => new OpenAiAdapter(timeouts, presetDialect(name))),
  new GeminiAdapter(timeouts),
  new VertexAdapter(timeouts),
  new BedrockAdapter(timeouts),
];
