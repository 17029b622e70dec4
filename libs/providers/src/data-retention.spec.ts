import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { RETENTION_DEFAULTS, dataRetentionOf, providerRetainsData } from './data-retention';
import { createProviderAdapters } from './provider-adapters';

const TIMEOUTS = { connectTimeoutMs: 1_000, firstByteTimeoutMs: 1_000, totalTimeoutMs: 1_000 };

/** docs/providers.md's retention table: provider → `retains` or `keeps nothing`, as the first two cells say. */
const documented = (): Map<string, string> => {
  const text = readFileSync(join(__dirname, '../../../docs/providers.md'), 'utf8');
  const section = text.slice(text.indexOf('### Data retention'));
  const rows = section.slice(0, section.indexOf('\n#')).matchAll(/^\| `([a-z]+)` +\| ([^|]+?) +\|/gm);
  return new Map([...rows].map(([, provider, retains]) => [provider!, retains!]));
};

describe('data retention defaults', () => {
  it('has a documented default for every provider family an adapter serves', () => {
    const providers = createProviderAdapters(TIMEOUTS).map((adapter) => adapter.provider);
    expect(providers.filter((provider) => RETENTION_DEFAULTS[provider] === undefined)).toEqual([]);
    expect([...documented().keys()].sort()).toEqual([...new Set(providers)].sort());
  });

  it('says in docs/providers.md exactly what the code decides', () => {
    for (const [provider, retains] of documented()) {
      const rule = RETENTION_DEFAULTS[provider]!.retainsData;
      const expected = typeof rule === 'function' ? 'by model' : rule ? 'yes' : 'no';
      expect([provider, retains]).toEqual([provider, expected]);
    }
  });

  it('keeps data at the first-party APIs and the clouds that log for abuse monitoring', () => {
    for (const provider of ['openai', 'anthropic', 'azure', 'gemini', 'vertex', 'mistral', 'xai', 'openrouter'])
      expect([provider, providerRetainsData(provider, 'any-model')]).toEqual([provider, true]);
  });

  it('keeps nothing at self-hosted servers and at Fireworks', () => {
    for (const provider of ['vllm', 'ollama', 'tgi', 'lmstudio', 'fireworks'])
      expect([provider, providerRetainsData(provider, 'llama')]).toEqual([provider, false]);
  });

  it('decides Bedrock by model: only the models its abuse detection names retain', () => {
    expect(providerRetainsData('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe(false);
    expect(providerRetainsData('bedrock', 'meta.llama3-3-70b-instruct-v1:0')).toBe(false);
    expect(providerRetainsData('bedrock', 'openai.gpt-oss-120b-1:0')).toBe(false);
    expect(providerRetainsData('bedrock', 'openai.gpt-5.4')).toBe(true);
    expect(providerRetainsData('bedrock', 'us.anthropic.claude-fable-5')).toBe(true);
    expect(providerRetainsData('bedrock', 'anthropic.claude-mythos-5')).toBe(true);
  });

  it('treats a provider it has no default for as retaining', () => {
    expect(providerRetainsData('acme-llm', 'm')).toBe(true);
  });

  it("takes the deployment's own retainsData over its provider's default, either way", () => {
    expect(dataRetentionOf({ provider: 'openai', upstreamModel: 'gpt-4.1' })).toEqual({
      retainsData: true,
      from: 'provider',
    });
    expect(dataRetentionOf({ provider: 'openai', upstreamModel: 'gpt-4.1', retainsData: false })).toEqual({
      retainsData: false,
      from: 'deployment',
    });
    expect(dataRetentionOf({ provider: 'vllm', upstreamModel: 'llama' })).toEqual({
      retainsData: false,
      from: 'provider',
    });
    expect(dataRetentionOf({ provider: 'vllm', upstreamModel: 'llama', retainsData: true })).toEqual({
      retainsData: true,
      from: 'deployment',
    });
  });
});
