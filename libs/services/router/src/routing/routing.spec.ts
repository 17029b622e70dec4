import { Catalog, CatalogFileSchema } from '@polymux/catalog';
import type { AppliedBudgetPressure, Complexity, RequestSignals, RoutingPolicy, TaskType } from '@polymux/contracts';
import { ErrorCode, PolymuxException, intakeOf } from '@polymux/contracts';
import { requestSignals } from '@polymux/testing';

import type { DeploymentHealth } from './deployment-health';
import { NO_HEALTH } from './deployment-health';
import { Routing } from './routing';

const deployment = (id: string, input: string, output: string, extra: Record<string, unknown> = {}) => ({
  id,
  provider: id.split('/')[0],
  baseUrl: 'http://sim.test/v1',
  upstreamModel: id.split('/')[1],
  pricing: { input, output },
  ...extra,
});
const catalog = new Catalog(
  CatalogFileSchema.parse({
    models: [
      {
        id: 'nano',
        qualityTier: 'economy',
        contextWindow: 100_000,
        maxOutputTokens: 4_000,
        deployments: [deployment('openai/nano', '0.1', '0.4', { outputTokensPerSecond: 200 })],
      },
      {
        id: 'mid',
        qualityTier: 'standard',
        contextWindow: 100_000,
        maxOutputTokens: 8_000,
        capabilities: { tools: true },
        deployments: [
          deployment('openai/mid', '1', '4', { outputTokensPerSecond: 80, region: 'us-east-1' }),
          deployment('azure/mid', '1', '4', { outputTokensPerSecond: 120, region: 'eu-west-1', retainsData: false }),
        ],
      },
      {
        id: 'big',
        qualityTier: 'frontier',
        contextWindow: 200_000,
        maxOutputTokens: 16_000,
        capabilities: { tools: true, vision: true, jsonSchema: true },
        deployments: [deployment('anthropic/big', '3', '15', { outputTokensPerSecond: 50, retainsData: false })],
      },
    ],
    aliases: {},
    auto: { default: ['big', 'mid', 'nano'], tasks: {} },
  }),
);

const signals = requestSignals;
const intake = (model: string, overrides: Partial<RequestSignals> = {}) => ({
  ...intakeOf({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false }),
  signals: signals(overrides),
});

const route = (
  model: string,
  policy: RoutingPolicy = {},
  {
    task = 'chat',
    complexity = 'low',
    health = NO_HEALTH,
    requestId = 'req-1',
    overrides = {},
    pressure,
  }: {
    task?: TaskType;
    complexity?: Complexity;
    health?: DeploymentHealth;
    requestId?: string;
    overrides?: Partial<RequestSignals>;
    pressure?: AppliedBudgetPressure;
  } = {},
) =>
  new Routing(catalog, health)
    .eligible({ intake: intake(model, overrides), allowedModels: null, policy, requestId })
    .route(task, complexity, pressure);
const ids = (...args: Parameters<typeof route>) => route(...args).candidates.map((candidate) => candidate.id);

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof PolymuxException) return error.toPayload();
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('the context window, checked on the classifier’s count', () => {
  const counted = (model: string, inputTokens: number, maxOutputTokens?: number) =>
    new Routing(catalog, NO_HEALTH)
      .eligible({
        intake: { ...intake(model, { estimatedInputTokens: 10 }), ...(maxOutputTokens ? { maxOutputTokens } : {}) },
        allowedModels: null,
        policy: {},
        requestId: 'req-1',
      })
      .route('chat', 'low', undefined, inputTokens);

  it('keeps out of auto the models whose window the counted input and output overflow, with the reason', () => {
    const routed = counted('auto', 99_000, 2_000);
    expect(routed.candidates.map((candidate) => candidate.id)).toEqual(['anthropic/big']);
    expect(routed.report.find((report) => report.deploymentId === 'openai/nano')).toMatchObject({
      kept: false,
      reason: 'has a 100000-token context window, too small for this request',
    });
  });

  it('refuses a named model the counted input does not fit, although the edge’s estimate did', () => {
    expect(refusal(() => counted('nano', 150_000))).toMatchObject({
      code: ErrorCode.NoCapableModel,
      message: 'the model `nano` has a 100000-token context window, too small for this request',
    });
    expect(counted('nano', 90_000).candidates.map((candidate) => candidate.id)).toEqual(['openai/nano']);
  });

  it('uses the edge’s estimate when the classification carries no count', () => {
    const routed = new Routing(catalog, NO_HEALTH)
      .eligible({
        intake: intake('auto', { estimatedInputTokens: 150_000 }),
        allowedModels: null,
        policy: {},
        requestId: 'r',
      })
      .route('chat', 'low');
    expect(routed.candidates.map((candidate) => candidate.id)).toEqual(['anthropic/big']);
  });
});

describe('auto: task × complexity → tier → cheapest capable', () => {
  it('sends simple chat to the small model and hard code to the strong one', () => {
    expect(ids('auto')[0]).toBe('openai/nano');
    expect(route('auto').tier).toBe('economy');
    expect(ids('auto', {}, { task: 'code', complexity: 'low' })).toEqual(['openai/mid', 'azure/mid', 'anthropic/big']);
    expect(ids('auto', {}, { task: 'code', complexity: 'high' })).toEqual(['anthropic/big']);
    expect(ids('auto', {}, { task: 'reasoning', complexity: 'medium' })).toEqual(['anthropic/big']);
  });

  it('names the tier in the reason of a model left out for it', () => {
    const { report } = route('auto', {}, { task: 'code', complexity: 'high' });
    expect(report.find((entry) => entry.deploymentId === 'openai/nano')).toMatchObject({
      kept: false,
      reason: 'is economy tier, below the frontier tier auto needs for code at high complexity',
    });
  });

  it("takes a task rule's models, tier and strategy over the defaults", () => {
    const policy: RoutingPolicy = {
      tasks: { chat: { models: ['mid', 'big'], minTier: 'standard', strategy: { type: 'best-quality' } } },
    };
    expect(ids('auto', policy)).toEqual(['anthropic/big', 'openai/mid', 'azure/mid']);
  });

  it('takes the strongest tier present when none meets the one needed', () => {
    expect(ids('auto', { denyModels: ['big'] }, { task: 'code', complexity: 'high' })).toEqual([
      'openai/mid',
      'azure/mid',
    ]);
  });
});

describe('strategies', () => {
  it('cheapest-capable: by list price, scores relative to the cheapest', () => {
    const routed = route('auto', { strategy: { type: 'cheapest-capable' } });
    expect(routed.candidates.map((candidate) => candidate.id)).toEqual([
      'openai/nano',
      'openai/mid',
      'azure/mid',
      'anthropic/big',
    ]);
    expect(routed.report[0]).toMatchObject({ kept: true, score: 1, reason: '$0.1/$0.4 per MTok' });
  });

  it('best-quality: the highest tier first, the cheaper of equals first', () => {
    expect(ids('auto', { strategy: { type: 'best-quality' } })).toEqual([
      'anthropic/big',
      'openai/mid',
      'azure/mid',
      'openai/nano',
    ]);
  });

  it("fastest: the catalog's typical speed until the health source has measured a deployment's own", () => {
    expect(ids('auto', { strategy: { type: 'fastest' } })).toEqual([
      'openai/nano',
      'azure/mid',
      'openai/mid',
      'anthropic/big',
    ]);
    // Measured: big faster than its seed says, nano slower; the mids keep their seeds.
    const measured: Record<string, number> = { 'anthropic/big': 400, 'openai/nano': 20 };
    const latencies: Record<string, number> = { 'azure/mid': 1, 'openai/nano': 2 };
    const health: DeploymentHealth = {
      available: () => true,
      latencyMs: (id) => latencies[id],
      outputTokensPerSecond: (id) => measured[id],
    };
    const routed = route('auto', { strategy: { type: 'fastest' } }, { health });
    expect(routed.candidates.map((candidate) => candidate.id)).toEqual([
      'anthropic/big',
      'azure/mid',
      'openai/mid',
      'openai/nano',
    ]);
    expect(routed.report.slice(0, 2)).toMatchObject([
      { deploymentId: 'anthropic/big', score: expect.closeTo(1, 2), reason: 'measured 400 tokens/s' },
      { deploymentId: 'azure/mid', score: expect.closeTo(0.3, 2), reason: 'typically 120 tokens/s (catalog)' },
    ]);
    expect(routed.report.find((entry) => entry.deploymentId === 'anthropic/big')).toMatchObject({
      outputTokensPerSecond: 50,
      measuredOutputTokensPerSecond: 400,
    });
  });

  it('fastest: live latency when no candidate has a speed, measured or seeded', () => {
    const unseeded = new Catalog(
      CatalogFileSchema.parse({
        models: [
          {
            id: 'plain',
            contextWindow: 1_000,
            maxOutputTokens: 100,
            deployments: [deployment('a/plain', '1', '1'), deployment('b/plain', '2', '2')],
          },
        ],
        auto: { default: ['plain'] },
      }),
    );
    const latencies: Record<string, number> = { 'a/plain': 900, 'b/plain': 300 };
    const health: DeploymentHealth = {
      available: () => true,
      latencyMs: (id) => latencies[id],
      outputTokensPerSecond: () => undefined,
    };
    const routed = new Routing(unseeded, health)
      .eligible({
        intake: intake('plain'),
        allowedModels: null,
        policy: { strategy: { type: 'fastest' } },
        requestId: 'r',
      })
      .route('chat', 'low');
    expect(routed.candidates.map((candidate) => candidate.id)).toEqual(['b/plain', 'a/plain']);
    expect(routed.report[0]!.reason).toBe('latency 300 ms');
  });

  it('balanced: weights trade cost against quality', () => {
    const quality = { type: 'balanced', weights: { cost: 0, quality: 1, speed: 0 } } as const;
    const cost = { type: 'balanced', weights: { cost: 1, quality: 0, speed: 0 } } as const;
    expect(ids('auto', { strategy: quality })[0]).toBe('anthropic/big');
    expect(ids('auto', { strategy: cost })[0]).toBe('openai/nano');
    const even = route('auto', { strategy: { type: 'balanced', weights: { cost: 1, quality: 1, speed: 1 } } });
    expect(even.report.every((entry) => !entry.kept || (entry.score! >= 0 && entry.score! <= 1))).toBe(true);
  });

  it('ordered: the named models or deployments first, in order, then the rest in catalog order', () => {
    expect(ids('auto', { strategy: { type: 'ordered', order: ['azure/mid', 'nano'] } })).toEqual([
      'azure/mid',
      'openai/nano',
      'anthropic/big',
      'openai/mid',
    ]);
    expect(ids('mid')).toEqual(['openai/mid', 'azure/mid']);
  });

  it('weighted-split: draws the first by weight per request id, the same for the same id', () => {
    const policy: RoutingPolicy = { strategy: { type: 'weighted-split', weights: { nano: 1, big: 1 } } };
    const firsts = new Set(
      Array.from({ length: 40 }, (_, index) => ids('auto', policy, { requestId: `r-${index}` })[0]),
    );
    expect(firsts).toEqual(new Set(['openai/nano', 'anthropic/big']));
    expect(ids('auto', policy, { requestId: 'same' })).toEqual(ids('auto', policy, { requestId: 'same' }));
    const heavy: RoutingPolicy = { strategy: { type: 'weighted-split', weights: { nano: 1, big: 0.000001 } } };
    expect(ids('auto', heavy, { requestId: 'r-1' })[0]).toBe('openai/nano');
  });

  it('puts deployments the health source holds unavailable last', () => {
    const health: DeploymentHealth = {
      available: (id) => id !== 'openai/nano',
      latencyMs: () => undefined,
      outputTokensPerSecond: () => undefined,
    };
    const routed = route('auto', {}, { health });
    expect(routed.candidates.at(-1)!.id).toBe('openai/nano');
    expect(routed.report.find((entry) => entry.deploymentId === 'openai/nano')!.reason).toMatch(
      /unavailable now, tried last/,
    );
  });
});

describe('policy filters', () => {
  it('allows and denies models and providers', () => {
    expect(ids('auto', { allowModels: ['mid'] })).toEqual(['openai/mid', 'azure/mid']);
    expect(ids('auto', { denyProviders: ['openai'] })).toEqual(['azure/mid', 'anthropic/big']);
    expect(ids('auto', { allowProviders: ['anthropic'] })).toEqual(['anthropic/big']);
    expect(refusal(() => route('nano', { denyModels: ['nano'] }))).toMatchObject({ code: ErrorCode.ModelNotAllowed });
  });

  it('keeps zero-retention policies on zero-retention deployments, and regions in their regions', () => {
    expect(ids('auto', { zeroRetentionOnly: true })).toEqual(['azure/mid', 'anthropic/big']);
    expect(ids('mid', { regions: ['eu-west-1'] })).toEqual(['azure/mid']);
    expect(refusal(() => route('nano', { regions: ['eu-west-1'] }))).toMatchObject({
      code: ErrorCode.NoCapableModel,
      message:
        'no deployment of `nano` meets the routing policy: openai/nano has no region, and the routing policy names regions',
    });
  });

  it("resolves a deployment's retention from its provider's default unless the catalog sets it", () => {
    const retention = new Catalog(
      CatalogFileSchema.parse({
        models: [
          {
            id: 'chat',
            contextWindow: 1_000,
            maxOutputTokens: 100,
            deployments: [
              deployment('openai/chat', '1', '1'),
              deployment('vllm/chat', '1', '1'),
              deployment('fireworks/chat', '1', '1', { retainsData: true }),
              deployment('bedrock/chat', '1', '1', { upstreamModel: 'openai.gpt-5.4' }),
              deployment('mistral/chat', '1', '1', { retainsData: false }),
            ],
          },
          {
            id: 'kept',
            contextWindow: 1_000,
            maxOutputTokens: 100,
            deployments: [deployment('openai/kept', '1', '1'), deployment('xai/kept', '1', '1')],
          },
        ],
        auto: { default: ['chat'] },
      }),
    );
    const zdr = (model: string) =>
      new Routing(retention, NO_HEALTH)
        .eligible({ intake: intake(model), allowedModels: null, policy: { zeroRetentionOnly: true }, requestId: 'r' })
        .route('chat', 'low');
    const routed = zdr('chat');
    expect(routed.candidates.map((candidate) => candidate.id)).toEqual(['vllm/chat', 'mistral/chat']);
    const byId = new Map(routed.report.map((entry) => [entry.deploymentId, entry]));
    expect(byId.get('vllm/chat')).toMatchObject({ kept: true, retainsData: false });
    expect(byId.get('mistral/chat')).toMatchObject({ kept: true, retainsData: false });
    expect(byId.get('openai/chat')).toMatchObject({
      kept: false,
      retainsData: true,
      reason:
        'provider openai keeps prompts and completions by default, and the routing policy requires zero-retention deployments',
    });
    expect(byId.get('bedrock/chat')).toMatchObject({ kept: false, retainsData: true });
    expect(byId.get('fireworks/chat')).toMatchObject({
      kept: false,
      retainsData: true,
      reason: 'is set to retain data, and the routing policy requires zero-retention deployments',
    });
    expect(refusal(() => zdr('kept'))).toMatchObject({
      code: ErrorCode.NoCapableModel,
      message: expect.stringMatching(
        /^no deployment of `kept` meets the routing policy: openai\/kept provider openai keeps prompts/,
      ),
    });
  });

  it('caps the price per million tokens', () => {
    const routed = route('auto', { maxPricePerMTok: { output: '5' } });
    expect(routed.candidates.map((candidate) => candidate.id)).toEqual(['openai/nano', 'openai/mid', 'azure/mid']);
    expect(routed.report.find((entry) => entry.deploymentId === 'anthropic/big')!.reason).toBe(
      "output price $15 is above the policy's $5 per MTok",
    );
  });

  it('resolves policy aliases to one model or several, in the listed order by default', () => {
    expect(ids('cheap', { aliases: { cheap: 'nano' } })).toEqual(['openai/nano']);
    expect(ids('smart', { aliases: { smart: ['big', 'mid'] } })).toEqual(['anthropic/big', 'openai/mid', 'azure/mid']);
    expect(ids('smart', { aliases: { smart: ['big', 'mid'] }, strategy: { type: 'cheapest-capable' } })[0]).toBe(
      'openai/mid',
    );
  });

  it("scopes a policy alias by the key's allowed models: the alias's name admits it, a model only itself", () => {
    const scoped = (model: string, allowedModels: string[], policy: RoutingPolicy) =>
      new Routing(catalog, NO_HEALTH)
        .eligible({ intake: intake(model), allowedModels, policy, requestId: 'r' })
        .route('chat', 'low')
        .candidates.map((candidate) => candidate.id);
    const smart: RoutingPolicy = { aliases: { smart: ['big', 'mid'] } };
    expect(scoped('smart', ['smart'], smart)).toEqual(['anthropic/big', 'openai/mid', 'azure/mid']);
    expect(scoped('smart', ['mid'], smart)).toEqual(['openai/mid', 'azure/mid']);
    expect(refusal(() => scoped('smart', ['nano'], smart))).toEqual({
      code: ErrorCode.ModelNotAllowed,
      message: 'this key may not use the model `smart`',
      param: 'model',
    });
    // The alias's name does not admit its models under their own names.
    expect(refusal(() => scoped('big', ['smart'], smart))).toMatchObject({ code: ErrorCode.ModelNotAllowed });
  });

  it('never plans past a hard bound, whatever the policy asks for', () => {
    expect(
      ids('auto', { strategy: { type: 'ordered', order: ['nano'] } }, { overrides: { hasTools: true } }),
    ).not.toContain('openai/nano');
    expect(refusal(() => route('nano', {}, { overrides: { hasImages: true } }))).toMatchObject({
      code: ErrorCode.NoCapableModel,
    });
  });
});

describe('budget-pressure downgrade', () => {
  const pressure: AppliedBudgetPressure = { budgetId: 'b-1', scope: 'key', usedPercent: 85, atPercent: 80 };
  const strongFirst: RoutingPolicy = { strategy: { type: 'best-quality' }, budgetPressure: { atPercent: 80 } };

  it('orders by the cheapest first under pressure, and says why', () => {
    expect(ids('auto', strongFirst)[0]).toBe('anthropic/big');
    const pressed = route('auto', strongFirst, { pressure });
    expect(pressed.candidates.map((candidate) => candidate.id)).toEqual([
      'openai/nano',
      'openai/mid',
      'azure/mid',
      'anthropic/big',
    ]);
    expect(pressed).toMatchObject({ strategy: 'cheapest-capable', budgetPressure: pressure });
    expect(route('auto', strongFirst).budgetPressure).toBeUndefined();
  });

  it("takes the option's own strategy under pressure", () => {
    const policy: RoutingPolicy = { budgetPressure: { atPercent: 80, strategy: { type: 'fastest' } } };
    expect(route('auto', policy, { pressure }).strategy).toBe('fastest');
  });

  it('caps the tier auto asks for, and keeps stronger models out while one within the cap can serve', () => {
    const policy: RoutingPolicy = { budgetPressure: { atPercent: 80, maxTier: 'standard' } };
    expect(ids('auto', policy, { task: 'code', complexity: 'high' })).toEqual(['anthropic/big']);
    const pressed = route('auto', policy, { task: 'code', complexity: 'high', pressure });
    expect(pressed.candidates.map((candidate) => candidate.id)).toEqual(['openai/mid', 'azure/mid']);
    expect(pressed.tier).toBe('standard');
    expect(pressed.report.find((entry) => entry.deploymentId === 'anthropic/big')).toMatchObject({
      kept: false,
      reason: 'is frontier tier, above the standard tier budget pressure allows (key budget 85% spent)',
    });
    // Tools rule out the economy model only; an image rules out all but the frontier one, which stays.
    expect(
      ids(
        'auto',
        { budgetPressure: { atPercent: 80, maxTier: 'economy' } },
        { pressure, overrides: { hasTools: true } },
      ),
    ).toEqual(['openai/mid', 'azure/mid', 'anthropic/big']);
    expect(ids('auto', policy, { pressure, overrides: { hasImages: true } })).toEqual(['anthropic/big']);
  });

  it('caps an alias to its models within the tier, and keeps a named model that model', () => {
    const policy: RoutingPolicy = {
      aliases: { smart: ['big', 'mid'] },
      budgetPressure: { atPercent: 50, maxTier: 'standard' },
    };
    expect(ids('smart', policy)).toEqual(['anthropic/big', 'openai/mid', 'azure/mid']);
    expect(ids('smart', policy, { pressure })).toEqual(['openai/mid', 'azure/mid']);
    expect(ids('big', policy, { pressure })).toEqual(['anthropic/big']);
    expect(route('big', policy, { pressure })).toMatchObject({
      strategy: 'cheapest-capable',
      budgetPressure: pressure,
    });
  });
});
