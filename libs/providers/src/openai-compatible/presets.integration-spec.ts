import type { ChatRequest } from '@polymux/contracts';
import type { ProviderSim } from '@polymux/provider-sim';
import { simBaseUrl, simDeployment, startProviderSim } from '@polymux/provider-sim';
import { collect } from '@polymux/testing';

import { OpenAiAdapter } from '../openai/openai.adapter';
import type { ProviderCall } from '../provider-adapter';
import { presetDialect } from './presets';

const request: ChatRequest = {
  model: 'reasoner',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Which is larger, 9.11 or 9.8?' }] }],
  stream: false,
};

describe('OpenAI-compatible presets against the provider simulator', () => {
  let sim: ProviderSim;
  const timeouts = { connectTimeoutMs: 1_000, firstByteTimeoutMs: 1_000, totalTimeoutMs: 3_000 };
  const deepseek = new OpenAiAdapter(timeouts, presetDialect('deepseek'));
  const openrouter = new OpenAiAdapter(timeouts, presetDialect('openrouter'));
  const reasoner = { ...simDeployment(), id: 'deepseek/r', provider: 'deepseek', upstreamModel: 'deepseek-reasoner' };

  const call = (scenario: string, overrides: Partial<ProviderCall> = {}): ProviderCall => ({
    deployment: reasoner,
    baseUrl: simBaseUrl(sim.url, scenario),
    request,
    apiKey: 'sk-deepseek',
    signal: new AbortController().signal,
    ...overrides,
  });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
  });
  afterAll(async () => {
    await Promise.all([deepseek.close(), openrouter.close()]);
    await sim.close();
  });

  it("reads deepseek-reasoner's reasoning_content as thinking, and its cache hits as cached input", async () => {
    const response = await deepseek.complete(call('tokens=2,reasoning=3,cached=4'));
    expect(response.choices[0]).toMatchObject({
      content: 'polymux routes',
      reasoning: [{ type: 'thinking', text: 'polymux routes every' }],
      finishReason: 'stop',
    });
    expect(response.usage).toMatchObject({ outputTokens: 5, reasoningTokens: 3, cachedInputTokens: 4 });
  });

  it('streams the reasoning before the answer', async () => {
    const chunks = await collect(
      deepseek.stream(call('tokens=2,reasoning=2', { request: { ...request, stream: true } })),
    );
    const thinking = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.reasoning?.text ?? '')).join('');
    const text = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.content ?? '')).join('');
    expect([thinking, text]).toEqual(['polymux routes', 'polymux routes']);
    const firstText = chunks.findIndex((chunk) => chunk.choices[0]?.content);
    const lastThinking = chunks.findLastIndex((chunk) => chunk.choices[0]?.reasoning);
    expect(lastThinking).toBeLessThan(firstText);
  });

  it("sends OpenRouter's attribution headers from the deployment's settings", async () => {
    const response = await openrouter.complete(
      call('tokens=1', {
        deployment: { ...reasoner, provider: 'openrouter', upstreamModel: 'openai/gpt-4.1-mini' },
        settings: { appUrl: 'https://app.example', appName: 'Example' },
      }),
    );
    expect(response.choices[0]?.finishReason).toBe('stop');
  });
});
