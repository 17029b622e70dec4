import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadCatalog } from '../catalog.loader';
import { CATALOG_PROVIDERS } from './catalog-providers';
import type { PriceLookup } from './generate-catalog';
import { generateCatalog } from './generate-catalog';
import { genaiPrices, toUsdDecimal } from './list-prices';
import type { ModelsDevTree } from './models-dev';
import { readModelsDev } from './models-dev';

const chat = (extra: string) => `
attachment = true
tool_call = true
reasoning = false
[limit]
context = 200_000
output = 8_000
[modalities]
input = ["text", "image"]
output = ["text"]
${extra}`;

/** A small models.dev tree: a provider-agnostic model, its first-party, Bedrock and OpenRouter offers, and what is left out. */
const FILES: Record<string, string> = {
  LICENSE: 'MIT',
  'models/anthropic/claude-x.toml': `name = "Claude X"\nstructured_output = true\n${chat('')}`,
  'providers/anthropic/provider.toml': 'name = "Anthropic"',
  'providers/anthropic/models/claude-x.toml': 'base_model = "anthropic/claude-x"\n[cost]\ninput = 3\noutput = 15',
  'providers/anthropic/models/claude-old.toml': `status = "deprecated"\n${chat('')}`,
  'providers/anthropic/models/claude-nocost.toml': chat('reasoning = true').replace('reasoning = false\n', ''),
  'providers/amazon-bedrock/provider.toml': 'name = "Amazon Bedrock"',
  'providers/amazon-bedrock/models/eu.anthropic.claude-x-v1:0.toml': 'base_model = "anthropic/claude-x"',
  'providers/amazon-bedrock/models/us.anthropic.claude-x-v1:0.toml': `${chat('')}\n[cost]\ninput = 3.3\noutput = 16.5`,
  'providers/amazon-bedrock/models/meta.llama-y-v1:0.toml': `${chat('')}\n[cost]\ninput = 0.2\noutput = 0.4`,
  'providers/amazon-bedrock/models/amazon.titan-embed-v2:0.toml': chat(''),
  'providers/amazon-bedrock/models/amazon.voice-v1:0.toml': chat('').replace('output = ["text"]', 'output = ["audio"]'),
  'providers/openrouter/provider.toml': 'name = "OpenRouter"',
  'providers/openrouter/models/anthropic/claude-x.toml':
    'base_model = "anthropic/claude-x"\n[cost]\ninput = 3\noutput = 15',
  'providers/openrouter/models/someone/only-here.toml': `${chat('')}\n[cost]\ninput = 1\noutput = 1`,
};
const tree: ModelsDevTree = {
  list: (dir) => Object.keys(FILES).filter((path) => path.startsWith(dir)),
  read: (path) => {
    const text = FILES[path];
    if (text === undefined) throw new Error(`no ${path}`);
    return text;
  },
};
const providers = CATALOG_PROVIDERS.filter(({ name }) => ['anthropic', 'bedrock', 'openrouter'].includes(name));
const SOURCE = { repository: 'fixture', commit: 'abc', date: '2026-01-02', license: 'MIT' as const };

/** genai-prices knows only Anthropic's claude-x, with cache prices; everything else falls back to models.dev. */
const lookup: PriceLookup = (provider, upstream) =>
  provider === 'anthropic' && upstream === 'claude-x'
    ? genaiPrices({ input_mtok: { base: 3 }, output_mtok: 15, cache_read_mtok: 0.3, cache_write_mtok: 3.75 })
    : undefined;

describe('generateCatalog', () => {
  const snapshot = readModelsDev(tree, ['anthropic', 'amazon-bedrock', 'openrouter'], SOURCE);
  const models = generateCatalog(snapshot, providers, lookup);
  const model = (id: string) => models.find((candidate) => candidate.id === id);

  it('resolves base_model into each provider model, as models.dev does', () => {
    expect(snapshot.providers['amazon-bedrock']?.models['eu.anthropic.claude-x-v1:0']).toMatchObject({
      baseModel: 'anthropic/claude-x',
      name: 'Claude X',
      limit: { context: 200_000, output: 8_000 },
    });
    expect(snapshot.source).toEqual(SOURCE);
  });

  it('makes one model per provider-agnostic model, its deployments first party, cloud, then host', () => {
    expect(models.map(({ id }) => id)).toEqual(['claude-nocost', 'claude-x', 'bedrock/meta.llama-y-v1:0']);
    const claude = model('claude-x');
    expect(claude?.aliases).toEqual(['anthropic/claude-x']);
    // Bedrock's US inference profile, not the EU one models.dev also lists.
    expect(claude?.deployments.map((deployment) => deployment.id)).toEqual([
      'anthropic/claude-x',
      'bedrock/us.anthropic.claude-x-v1:0',
      'openrouter/anthropic/claude-x',
    ]);
  });

  it('takes limits and capabilities from the first offer, the tier from its price', () => {
    expect(model('claude-x')).toMatchObject({
      contextWindow: 200_000,
      maxOutputTokens: 8_000,
      capabilities: { tools: true, parallelTools: true, vision: true, jsonSchema: true, reasoning: false },
      qualityTier: 'frontier',
    });
    expect(model('bedrock/meta.llama-y-v1:0')?.qualityTier).toBe('economy');
  });

  it('prices each deployment from genai-prices, else from models.dev, else marks it unpriced', () => {
    const [claude, nocost] = [model('claude-x'), model('claude-nocost')];
    expect(claude?.deployments.map((deployment) => deployment.pricing)).toEqual([
      { input: '3', output: '15', cachedInput: '0.3', cacheWrite: '3.75' },
      { input: '3.3', output: '16.5' },
      { input: '3', output: '15' },
    ]);
    expect(nocost?.deployments).toEqual([expect.objectContaining({ unpriced: true })]);
    expect(nocost?.deployments[0]).not.toHaveProperty('pricing');
    expect(nocost?.qualityTier).toBeUndefined();
  });

  it('reaches each provider through its base URL variable, the simulator by default, with its key and settings', () => {
    expect(model('claude-x')?.deployments[0]).toMatchObject({
      provider: 'anthropic',
      baseUrl: '${ANTHROPIC_BASE_URL:-${PROVIDER_SIM_URL}/v1}',
      credentialRef: '${ANTHROPIC_BASE_URL:+env:ANTHROPIC_API_KEY}',
      upstreamModel: 'claude-x',
    });
    expect(model('claude-x')?.deployments[1]).toMatchObject({
      baseUrl: '${BEDROCK_BASE_URL:-${PROVIDER_SIM_URL}}',
      credentialRef: '${BEDROCK_BASE_URL:+env:AWS_BEARER_TOKEN_BEDROCK}',
      region: '${AWS_REGION:-us-east-1}',
    });
  });

  it('leaves out deprecated, embeddings and non-text models, and what only an attach-only provider offers', () => {
    const upstreams = models.flatMap(({ deployments }) => deployments.map((deployment) => deployment.upstreamModel));
    for (const left of ['claude-old', 'amazon.titan-embed-v2:0', 'amazon.voice-v1:0', 'someone/only-here']) {
      expect(upstreams).not.toContain(left);
    }
  });

  it('writes data the catalog loads under an overrides file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polymux-generated-'));
    try {
      writeFileSync(join(dir, 'generated.json'), JSON.stringify({ models }));
      writeFileSync(join(dir, 'catalog.yaml'), 'extends: generated.json\nauto: { default: [claude-x, claude-nocost] }');
      const catalog = loadCatalog(join(dir, 'catalog.yaml'), { PROVIDER_SIM_URL: 'http://sim.test' });
      expect(catalog.entry('bedrock/us.anthropic.claude-x-v1:0')?.endpoint).toMatchObject({
        baseUrl: 'http://sim.test',
        region: 'us-east-1',
        credentialRef: undefined,
      });
      const real = loadCatalog(join(dir, 'catalog.yaml'), {
        PROVIDER_SIM_URL: 'http://sim.test',
        BEDROCK_BASE_URL: 'https://b.test',
      });
      expect(real.entry('bedrock/us.anthropic.claude-x-v1:0')?.endpoint).toMatchObject({
        baseUrl: 'https://b.test',
        credentialRef: 'env:AWS_BEARER_TOKEN_BEDROCK',
      });
      expect(catalog.isPriced(catalog.resolve('claude-nocost')!.model)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('list prices', () => {
  it('writes USD as decimals of at most nine places, without float noise', () => {
    expect(toUsdDecimal(0.1 + 0.2)).toBe('0.3');
    expect(toUsdDecimal(3)).toBe('3');
    expect(toUsdDecimal(0.0000001)).toBe('0.0000001');
  });

  it("takes genai-prices' base prices and turns requests per thousand into a fee per request", () => {
    expect(genaiPrices({ input_mtok: { base: 1.25 }, output_mtok: 10, requests_kcount: 5 })).toEqual({
      input: '1.25',
      output: '10',
      perRequest: '0.005',
    });
    expect(genaiPrices({ input_mtok: 1 })).toBeUndefined();
  });

  it("turns genai-prices' tiered prices into long-context tiers, one per threshold, each kind at its price there", () => {
    expect(
      genaiPrices({
        input_mtok: { base: 1.25, tiers: [{ start: 200_000, price: 2.5 }] },
        output_mtok: { base: 10, tiers: [{ start: 200_000, price: 15 }] },
        // Tiered at another threshold too: from 128k its own price, kept above 200k.
        cache_read_mtok: { base: 0.3, tiers: [{ start: 128_000, price: 0.6 }] },
        cache_write_mtok: 3.75,
      }),
    ).toEqual({
      input: '1.25',
      output: '10',
      cachedInput: '0.3',
      cacheWrite: '3.75',
      tiers: [
        { aboveInputTokens: 128_000, input: '1.25', output: '10', cachedInput: '0.6' },
        { aboveInputTokens: 200_000, input: '2.5', output: '15', cachedInput: '0.6' },
      ],
    });
  });
});
