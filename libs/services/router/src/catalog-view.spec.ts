import { Catalog, CatalogFileSchema } from '@polymux/catalog';

import { catalogView, referenceOf } from './catalog-view';
import type { DeploymentHealth } from './health/deployment-health';

const deployment = (id: string, pricing?: { input: string; output: string; cachedInput?: string }) => ({
  id,
  provider: 'openai',
  baseUrl: 'http://sim.test/v1',
  upstreamModel: id.split('/')[1],
  headers: { authorization: 'Bearer not-shown' },
  ...(pricing ? { pricing } : { unpriced: true }),
});

const model = (id: string, tier: string | undefined, deployments: ReturnType<typeof deployment>[], extra = {}) => ({
  id,
  ...(tier ? { qualityTier: tier } : {}),
  contextWindow: 100_000,
  maxOutputTokens: 8_000,
  capabilities: { tools: true },
  deployments,
  ...extra,
});

const catalogOf = (auto: string[], models: ReturnType<typeof model>[], aliases = {}) =>
  new Catalog(CatalogFileSchema.parse({ models, aliases, auto: { default: auto, tasks: {} } }));

const catalog = catalogOf(
  ['small', 'best', 'dear-best'],
  [
    model('small', 'economy', [deployment('openai/small', { input: '0.40', output: '1.6', cachedInput: '0.1' })]),
    model('dear-best', 'frontier', [deployment('openai/dear-best', { input: '20', output: '40' })]),
    model('best', 'frontier', [
      deployment('openai/best-unpriced'),
      deployment('openai/best', { input: '3', output: '15' }),
    ]),
    model('unlisted', 'frontier', [deployment('openai/unlisted', { input: '1', output: '1' })]),
    model('untiered', undefined, [deployment('openai/untiered', { input: '1', output: '1' })]),
  ],
  { fast: 'small' },
);

describe('the catalog view', () => {
  const health: DeploymentHealth = {
    breaker: 'open',
    cooling: false,
    availableAt: Date.UTC(2030, 0, 1),
    latencyMs: 120.5,
    ttftMs: null,
    outputTokensPerSecond: null,
    errorRate: 0.25,
    samples: 8,
  };
  const view = catalogView(catalog, 3, new Map([['openai/small', health]]));

  it('lists every model and deployment with the prices a call is charged, in nano-USD', () => {
    expect(view.revision).toBe(3);
    expect(view.models.map((entry) => entry.id)).toEqual(['small', 'dear-best', 'best', 'unlisted', 'untiered']);
    const small = view.models[0]!;
    expect(small).toMatchObject({
      aliases: ['fast'],
      contextWindow: 100_000,
      maxOutputTokens: 8_000,
      qualityTier: 'economy',
      auto: true,
      capabilities: { tools: true, vision: false, streaming: true },
    });
    expect(small.deployments).toEqual([
      {
        id: 'openai/small',
        provider: 'openai',
        upstreamModel: 'small',
        region: null,
        pricing: { inputPerMTok: '400000000', outputPerMTok: '1600000000', cachedInputPerMTok: '100000000' },
        admin: false,
        health: { ...health, availableAt: '2030-01-01T00:00:00.000Z' },
      },
    ]);
  });

  it('shows an unpriced deployment without prices, an unmeasured one without health, no endpoint details', () => {
    const best = view.models.find((entry) => entry.id === 'best')!;
    expect(best.deployments.map((entry) => [entry.id, entry.pricing, entry.health])).toEqual([
      ['openai/best-unpriced', null, null],
      ['openai/best', { inputPerMTok: '3000000000', outputPerMTok: '15000000000' }, null],
    ]);
    expect(JSON.stringify(view)).not.toMatch(/sim\.test|Bearer|authorization/);
    expect(view.models.find((entry) => entry.id === 'untiered')).toMatchObject({
      qualityTier: 'standard',
      auto: false,
    });
  });

  it("takes as reference the cheapest of auto's strongest tier, at its first priced deployment's prices", () => {
    expect(view.reference).toEqual({
      model: 'best',
      deploymentId: 'openai/best',
      qualityTier: 'frontier',
      pricing: { inputPerMTok: '3000000000', outputPerMTok: '15000000000' },
    });
  });

  it('has no reference when auto has no priced model', () => {
    expect(referenceOf(catalogOf(['best'], [model('best', 'frontier', [deployment('openai/best')])]))).toBeNull();
  });
});
