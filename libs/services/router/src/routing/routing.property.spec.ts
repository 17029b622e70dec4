import { Catalog, CatalogFileSchema } from '@polymux/catalog';
import type { CatalogModel } from '@polymux/catalog';
import type { Intake, RoutingPolicy } from '@polymux/contracts';
import { Complexity, PolymuxException, TaskType, usdToNano } from '@polymux/contracts';
import fc from 'fast-check';

import type { DeploymentHealth } from './deployment-health';
import { Routing } from './routing';

const PROVIDERS = ['openai', 'anthropic', 'azure', 'bedrock', 'vllm'];
/** Each provider's documented default for the models here (docs/providers.md, "Data retention"). */
const RETAINS_BY_DEFAULT: Record<string, boolean> = {
  openai: true,
  anthropic: true,
  azure: true,
  bedrock: false,
  vllm: false,
};
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1'];
const price = fc.integer({ min: 0, max: 30 }).map(String);

const deploymentArb = (model: string, index: number) =>
  fc.record({
    id: fc.constant(`${model}-d${index}`),
    provider: fc.constantFrom(...PROVIDERS),
    baseUrl: fc.constant('http://sim.test/v1'),
    upstreamModel: fc.constant(model),
    pricing: fc.record({ input: price, output: price }),
    retainsData: fc.option(fc.boolean(), { nil: undefined }),
    region: fc.option(fc.constantFrom(...REGIONS), { nil: undefined }),
    outputTokensPerSecond: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
  });

const modelArb = (index: number) =>
  fc.record({
    id: fc.constant(`m${index}`),
    qualityTier: fc.option(fc.constantFrom('economy', 'standard', 'frontier'), { nil: undefined }),
    contextWindow: fc.integer({ min: 500, max: 200_000 }),
    maxOutputTokens: fc.integer({ min: 1, max: 32_000 }),
    capabilities: fc.record({ tools: fc.boolean(), vision: fc.boolean(), jsonSchema: fc.boolean() }),
    deployments: fc
      .integer({ min: 1, max: 3 })
      .chain((count) => fc.tuple(...Array.from({ length: count }, (_, d) => deploymentArb(`m${index}`, d)))),
  });

const catalogArb = fc.integer({ min: 1, max: 6 }).chain((count) =>
  fc.tuple(...Array.from({ length: count }, (_, index) => modelArb(index))).chain((models) => {
    const ids = models.map((model) => model.id);
    return fc
      .record({
        default: fc.shuffledSubarray(ids, { minLength: 1 }),
        code: fc.shuffledSubarray(ids, { minLength: 1 }),
      })
      .map(
        (auto) =>
          new Catalog(
            CatalogFileSchema.parse({
              models,
              aliases: {},
              auto: { default: auto.default, tasks: { code: auto.code } },
            }),
          ),
      );
  }),
);

const modelNames = fc.shuffledSubarray(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
const strategyArb = fc.oneof(
  fc.constant({ type: 'cheapest-capable' as const }),
  fc.constant({ type: 'best-quality' as const }),
  fc.constant({ type: 'fastest' as const }),
  fc.record({
    type: fc.constant('balanced' as const),
    weights: fc.record({ cost: fc.nat(5), quality: fc.nat(5), speed: fc.nat(5) }),
  }),
  fc.record({ type: fc.constant('ordered' as const), order: modelNames }),
  fc.record({
    type: fc.constant('weighted-split' as const),
    weights: fc.dictionary(fc.constantFrom('m0', 'm1', 'm2'), fc.integer({ min: 1, max: 10 }), { minKeys: 1 }),
  }),
);
const policyArb: fc.Arbitrary<RoutingPolicy> = fc.record(
  {
    allowModels: modelNames,
    denyModels: modelNames,
    allowProviders: fc.shuffledSubarray(PROVIDERS),
    denyProviders: fc.shuffledSubarray(PROVIDERS),
    aliases: fc.constant({ pick: ['m0', 'm1', 'm2'] }),
    tasks: fc.record({
      code: fc.record({ models: modelNames.filter((list) => list.length > 0) }, { requiredKeys: [] }),
    }),
    strategy: strategyArb,
    maxPricePerMTok: fc.record({ input: price, output: price }, { requiredKeys: [] }),
    zeroRetentionOnly: fc.boolean(),
    regions: fc.shuffledSubarray(REGIONS, { minLength: 1 }),
  },
  { requiredKeys: [] },
);

const intakeArb = fc
  .record({
    model: fc.constantFrom('auto', 'm0', 'm1', 'pick'),
    estimatedInputTokens: fc.integer({ min: 0, max: 150_000 }),
    maxOutputTokens: fc.option(fc.integer({ min: 1, max: 40_000 }), { nil: undefined }),
    hasTools: fc.boolean(),
    hasImages: fc.boolean(),
    hasResponseFormat: fc.boolean(),
  })
  .map(({ model, estimatedInputTokens, maxOutputTokens, ...flags }): Intake => ({
    model,
    sample: 'x',
    signals: {
      estimatedInputTokens,
      inputTokensUpperBound: estimatedInputTokens * 4,
      messageCount: 1,
      hasCodeFence: false,
      complexity: 'low',
      ...flags,
    },
    prompt: { tokens: estimatedInputTokens, images: [] },
    ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
  }));

const healthArb = fc
  .record({ down: fc.shuffledSubarray(['m0-d0', 'm1-d0', 'm2-d1']), latency: fc.nat(1000), speed: fc.nat(500) })
  .map(({ down, latency, speed }): DeploymentHealth => ({
    available: (id) => !down.includes(id),
    latencyMs: (id) => (id.endsWith('d0') ? latency : undefined),
    outputTokensPerSecond: (id) => (id.endsWith('d1') ? speed : undefined),
  }));

/** Every hard bound and policy restriction a planned deployment must meet. */
const violations = (
  catalog: Catalog,
  intake: Intake,
  policy: RoutingPolicy,
  id: string,
  inputTokens = intake.signals.estimatedInputTokens,
): string[] => {
  const entry = catalog.entry(id)!;
  const model = catalog.resolve(entry.deployment.model)!.model as CatalogModel;
  const { signals } = intake;
  const problems: Array<[boolean, string]> = [
    [signals.hasTools && !model.capabilities.tools, 'tools to a model without tools'],
    [signals.hasImages && !model.capabilities.vision, 'images to a model without vision'],
    [signals.hasResponseFormat && !model.capabilities.jsonSchema, 'a JSON schema to a model without it'],
    [
      inputTokens + Math.min(intake.maxOutputTokens ?? 0, model.maxOutputTokens) > model.contextWindow,
      'past the context window',
    ],
    [
      policy.zeroRetentionOnly === true &&
        (entry.deployment.retainsData ?? RETAINS_BY_DEFAULT[entry.deployment.provider]) !== false,
      'a retaining deployment under ZDR',
    ],
    [policy.denyProviders?.includes(entry.deployment.provider) === true, 'a denied provider'],
    [
      policy.allowProviders !== undefined && !policy.allowProviders.includes(entry.deployment.provider),
      'a provider not allowed',
    ],
    [policy.denyModels?.includes(model.id) === true, 'a denied model'],
    [policy.allowModels !== undefined && !policy.allowModels.includes(model.id), 'a model not allowed'],
    [policy.regions !== undefined && !policy.regions.includes(entry.endpoint.region ?? ''), 'outside the regions'],
    [
      policy.maxPricePerMTok?.input !== undefined &&
        BigInt(entry.deployment.pricing.inputPerMTok) > usdToNano(policy.maxPricePerMTok.input),
      'above the input price cap',
    ],
    [
      policy.maxPricePerMTok?.output !== undefined &&
        BigInt(entry.deployment.pricing.outputPerMTok) > usdToNano(policy.maxPricePerMTok.output),
      'above the output price cap',
    ],
  ];
  return problems.filter(([violated]) => violated).map(([, what]) => `${id}: ${what}`);
};

describe('routing never breaks a hard bound or a policy restriction', () => {
  it('plans only deployments within every bound, each of them covered by the reservation bound', () => {
    fc.assert(
      fc.property(
        catalogArb,
        policyArb,
        intakeArb,
        fc.constantFrom(...TaskType.options),
        fc.constantFrom(...Complexity.options),
        healthArb,
        fc.option(fc.shuffledSubarray(['m0', 'm1', 'm2', 'm3']), { nil: null }),
        // The classifier's count, when its reply carries one (the edge's estimate otherwise).
        fc.option(fc.integer({ min: 0, max: 250_000 }), { nil: undefined }),
        (catalog, policy, intake, task, complexity, health, allowedModels, counted) => {
          let planned: string[];
          let bound: string[];
          try {
            const eligible = new Routing(catalog, health).eligible({ intake, allowedModels, policy, requestId: 'r' });
            bound = eligible.bound.map((deployment) => deployment.id);
            planned = eligible
              .route(task, complexity, undefined, counted)
              .candidates.map((deployment) => deployment.id);
          } catch (error) {
            // A refusal is always the gateway's own error, never a crash.
            expect(error).toBeInstanceOf(PolymuxException);
            return;
          }
          expect(planned.length).toBeGreaterThan(0);
          expect(planned.flatMap((id) => violations(catalog, intake, policy, id, counted))).toEqual([]);
          expect(planned.filter((id) => !bound.includes(id))).toEqual([]);
          const scope = allowedModels;
          if (scope !== null)
            expect(
              planned.filter((id) => !scope.includes(catalog.entry(id)!.deployment.model) && intake.model !== 'pick'),
            ).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });
});
