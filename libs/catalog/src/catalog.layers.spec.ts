import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CatalogLayerSchema, EMPTY_CATALOG, mergeCatalogLayers } from './catalog.layers';
import { loadCatalog } from './catalog.loader';

const deployment = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  provider: 'openai',
  baseUrl: '${SIM}/v1',
  upstreamModel: id.split('/')[1],
  pricing: { input: '1', output: '2' },
  ...extra,
});

/** Generated data as the refresh script writes it: JSON, no aliases, no auto lists. */
const GENERATED = {
  generated: { source: 'fixture' },
  models: [
    {
      id: 'alpha',
      contextWindow: 1000,
      maxOutputTokens: 100,
      capabilities: { tools: true, vision: false },
      qualityTier: 'standard',
      deployments: [
        deployment('one/alpha', {
          pricing: { input: '3', output: '15', cachedInput: '0.3', cacheWrite: '3.75', perRequest: '0.01' },
        }),
        deployment('two/alpha'),
      ],
    },
    {
      id: 'beta',
      contextWindow: 2000,
      maxOutputTokens: 200,
      deployments: [{ ...deployment('one/beta'), pricing: undefined, unpriced: true }],
    },
    { id: 'gamma', contextWindow: 10, maxOutputTokens: 5, deployments: [deployment('one/gamma')] },
  ],
};

const OVERRIDES = `
extends: generated.json
models:
  - id: alpha
    aliases: [a]
    capabilities: { vision: true }
    deployments:
      - { id: two/alpha, retainsData: false }
      - id: three/alpha
        provider: openai
        baseUrl: http://three.test/v1
        upstreamModel: alpha
        pricing: { input: '0.5', output: '1' }
  - id: delta
    contextWindow: 30
    maxOutputTokens: 10
    deployments:
      - { id: one/delta, provider: openai, baseUrl: http://d.test, upstreamModel: d, pricing: { input: '1', output: '1' } }
exclude: [gamma, one/alpha]
aliases: { fast: alpha }
auto:
  default: [alpha]
`;

describe('catalog layers', () => {
  let dir: string;
  const variables = { SIM: 'http://sim.test' };
  const write = (generated: unknown, overrides: string) => {
    writeFileSync(join(dir, 'generated.json'), JSON.stringify(generated));
    writeFileSync(join(dir, 'catalog.yaml'), overrides);
    return join(dir, 'catalog.yaml');
  };

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'polymux-layers-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the overrides file on the generated data it extends, by model and deployment id', () => {
    const catalog = loadCatalog(write(GENERATED, OVERRIDES), variables);
    const models = catalog.models();
    expect(models.map((model) => model.id)).toEqual(['alpha', 'beta', 'delta']);
    const alpha = catalog.resolve('a')!.model;
    expect(alpha.capabilities).toMatchObject({ tools: true, vision: true });
    expect(alpha.qualityTier).toBe('standard');
    expect(catalog.deployments(alpha).map((planned) => [planned.id, planned.retainsData])).toEqual([
      ['two/alpha', false],
      ['three/alpha', undefined],
    ]);
    expect(catalog.entry('two/alpha')?.endpoint.baseUrl).toBe('http://sim.test/v1');
    expect(catalog.resolve('fast')?.model.id).toBe('alpha');
  });

  it('keeps an unpriced deployment out of every plan, and its model unpriced and listed without prices', () => {
    const catalog = loadCatalog(write(GENERATED, OVERRIDES), variables);
    const beta = catalog.resolve('beta')!.model;
    expect(catalog.isPriced(beta)).toBe(false);
    expect(catalog.deployments(beta)).toEqual([]);
    expect(catalog.entry('one/beta')).toBeUndefined();
    expect(catalog.models().find((model) => model.id === 'beta')?.pricing).toBeNull();
  });

  it('carries every price kind into the plan in nano-USD and into the listing as decimals', () => {
    const catalog = loadCatalog(write(GENERATED, OVERRIDES.replace('exclude: [gamma, one/alpha]', '')), variables);
    expect(catalog.entry('one/alpha')?.deployment.pricing).toEqual({
      inputPerMTok: '3000000000',
      outputPerMTok: '15000000000',
      cachedInputPerMTok: '300000000',
      cacheWritePerMTok: '3750000000',
      perRequest: '10000000',
    });
    expect(catalog.models()[0]?.pricing).toEqual({
      input: '3',
      output: '15',
      cachedInput: '0.3',
      cacheWrite: '3.75',
      perRequest: '0.01',
    });
  });

  it('refuses a deployment with both pricing and unpriced, or with neither', () => {
    const both = {
      ...GENERATED,
      models: [{ ...GENERATED.models[2], deployments: [deployment('one/gamma', { unpriced: true })] }],
    };
    expect(() => loadCatalog(write(both, 'extends: generated.json\nauto: { default: [gamma] }'), variables)).toThrow(
      /models\.0\.deployments\.0\.pricing \(model gamma\): a deployment has either pricing or `unpriced: true`/,
    );
    const neither = {
      ...GENERATED,
      models: [{ ...GENERATED.models[2], deployments: [deployment('one/gamma', { pricing: undefined })] }],
    };
    expect(() => loadCatalog(write(neither, 'extends: generated.json\nauto: { default: [gamma] }'), variables)).toThrow(
      /either pricing or `unpriced: true`/,
    );
  });

  it('fails at boot when the merged catalog has no auto list, or an override names what an exclusion removed', () => {
    expect(() => loadCatalog(write(GENERATED, 'extends: generated.json'), variables)).toThrow(/auto/);
    expect(() => loadCatalog(write(GENERATED, OVERRIDES.replace('fast: alpha', 'fast: gamma')), variables)).toThrow(
      'catalog alias fast points at unknown model gamma',
    );
  });

  it('names the file of a broken layer', () => {
    writeFileSync(join(dir, 'generated.json'), '{ not json');
    writeFileSync(join(dir, 'catalog.yaml'), OVERRIDES);
    expect(() => loadCatalog(join(dir, 'catalog.yaml'), variables)).toThrow(/invalid model catalog .*generated\.json/);
    expect(() => loadCatalog(write(GENERATED, 'extends: generated.json\nmodels: [{ name: x }]'), variables)).toThrow(
      /invalid model catalog .*catalog\.yaml:\n {2}models\.0\.id/,
    );
  });

  it('refuses a chain of extends that does not end', () => {
    writeFileSync(join(dir, 'loop.yaml'), 'extends: loop.yaml');
    expect(() => loadCatalog(join(dir, 'loop.yaml'), variables)).toThrow(/more than 4 layers/);
  });

  it('takes further layers on top of the files, as admin changes will', () => {
    const catalog = loadCatalog(write(GENERATED, OVERRIDES), variables, [
      CatalogLayerSchema.parse({ models: [{ id: 'delta', contextWindow: 60 }], auto: { tasks: { code: ['delta'] } } }),
    ]);
    expect(catalog.resolve('delta')?.model.contextWindow).toBe(60);
    expect(catalog.autoModels('code').map((model) => model.id)).toEqual(['delta']);
    expect(catalog.autoModels('chat').map((model) => model.id)).toEqual(['alpha']);
  });

  it('merges layers as plain data: aliases and auto tasks per name, the auto default list whole', () => {
    const lower = mergeCatalogLayers(
      EMPTY_CATALOG,
      CatalogLayerSchema.parse({ aliases: { a: 'x', b: 'y' }, auto: { default: ['x', 'y'], tasks: { code: ['x'] } } }),
    );
    const merged = mergeCatalogLayers(
      lower,
      CatalogLayerSchema.parse({ aliases: { b: 'z' }, auto: { default: ['z'], tasks: { chat: ['z'] } } }),
    );
    expect(merged.aliases).toEqual({ a: 'x', b: 'z' });
    expect(merged.auto).toEqual({ default: ['z'], tasks: { code: ['x'], chat: ['z'] } });
  });
});
