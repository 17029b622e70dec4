import type { CatalogModel } from '@polymux/catalog';
import { Catalog, CatalogFileSchema } from '@polymux/catalog';
import type { Classification } from '@polymux/contracts';
import { callCost, intakeOf } from '@polymux/contracts';
import { tierOf } from '@polymux/router';

import type { RoutingSubjects } from './routing-decision';
import { loadRoutingSubjects } from './routing-decision';
import type { RequestKind } from './routing-mix';
import { MIX } from './routing-mix';
import { baselineModel, mixedWorkloadSaving, savingPercent } from './routing-saving';

const RANK = { economy: 0, standard: 1, frontier: 2 };

describe('the mixed workload on the shipped catalog, with the real classifier and router', () => {
  const subjects = loadRoutingSubjects();
  const saving = mixedWorkloadSaving(subjects, MIX);
  const modelOf = (id: string): CatalogModel => subjects.catalog.resolve(id)!.model;

  it('takes the strongest model by the quality tiers of the models auto chooses among', () => {
    const autoModels = subjects.catalog.autoModelsOfAnyTask();
    const strongest = modelOf(saving.strongest.model);
    expect(autoModels).toContain(strongest);
    expect(saving.strongest.tier).toBe(tierOf(strongest));
    for (const model of autoModels) expect(RANK[tierOf(model)]).toBeLessThanOrEqual(RANK[saving.strongest.tier]);
  });

  it('plans every request onto a model that can serve it, the baseline onto the strongest model', () => {
    MIX.forEach((kind, index) => {
      const planned = saving.kinds[index]!;
      const { signals, maxOutputTokens } = intakeOf(kind.request);
      for (const route of [planned.auto, planned.strongest]) {
        const model = modelOf(route.model);
        expect(model.deployments.map((deployment) => deployment.id)).toContain(route.deploymentId);
        if (signals.hasTools) expect(model.capabilities.tools).toBe(true);
        if (signals.hasImages) expect(model.capabilities.vision).toBe(true);
        if (signals.hasResponseFormat) expect(model.capabilities.jsonSchema).toBe(true);
        expect(signals.estimatedInputTokens + maxOutputTokens!).toBeLessThanOrEqual(model.contextWindow);
      }
      expect(planned.strongest.model).toBe(saving.strongest.model);
      if (planned.tier) expect(RANK[tierOf(modelOf(planned.auto.model))]).toBeGreaterThanOrEqual(RANK[planned.tier]);
    });
  });

  it('prices each kind by callCost at its deployment list prices, and the totals add up', () => {
    MIX.forEach((kind, index) => {
      const planned = saving.kinds[index]!;
      for (const route of [planned.auto, planned.strongest]) {
        const { pricing } = subjects.catalog.entry(route.deploymentId)!.deployment;
        const perRequest = callCost(pricing, { inputTokens: kind.inputTokens, outputTokens: kind.outputTokens });
        expect(BigInt(route.costPerRequestNano)).toBe(perRequest);
        expect(BigInt(route.costNano)).toBe(perRequest * BigInt(kind.count));
      }
    });
    const total = (pick: (kind: (typeof saving.kinds)[number]) => string) =>
      saving.kinds.reduce((sum, kind) => sum + BigInt(pick(kind)), 0n);
    expect(BigInt(saving.autoCostNano)).toBe(total((kind) => kind.auto.costNano));
    expect(BigInt(saving.strongestCostNano)).toBe(total((kind) => kind.strongest.costNano));
    expect(saving.requests).toBe(MIX.reduce((sum, kind) => sum + kind.count, 0));
  });

  it('costs no more with auto than with the strongest model, per kind and in total', () => {
    for (const kind of saving.kinds)
      expect(BigInt(kind.auto.costNano)).toBeLessThanOrEqual(BigInt(kind.strongest.costNano));
    expect(BigInt(saving.autoCostNano)).toBeLessThan(BigInt(saving.strongestCostNano));
    expect(saving.savingPercent).toBeGreaterThan(0);
    expect(saving.savingPercent).toBe(savingPercent(BigInt(saving.autoCostNano), BigInt(saving.strongestCostNano)));
  });

  it('sends simple chat to an economy model and hard code and reasoning to a frontier one', () => {
    const byKind = (name: string) => saving.kinds.find((kind) => kind.kind === name)!;
    expect(tierOf(modelOf(byKind('chat').auto.model))).toBe('economy');
    expect(tierOf(modelOf(byKind('reasoning').auto.model))).toBe('frontier');
    expect(byKind('code').task).toBe('code');
    expect(tierOf(modelOf(byKind('code').auto.model))).toBe('frontier');
  });

  it('is deterministic and serialisable as latest.json holds it', () => {
    expect(JSON.parse(JSON.stringify(saving))).toEqual(mixedWorkloadSaving(subjects, MIX));
  });
});

describe('the mixed workload computation on a small catalog', () => {
  const deployment = (id: string, input: string, output: string) => ({
    id,
    provider: 'openai',
    baseUrl: 'http://sim.test/v1',
    upstreamModel: id.split('/')[1],
    pricing: { input, output },
  });
  const model = (id: string, tier: string, input: string, output: string) => ({
    id,
    qualityTier: tier,
    contextWindow: 100_000,
    maxOutputTokens: 8_000,
    deployments: [deployment(`openai/${id}`, input, output)],
  });
  const catalog = new Catalog(
    CatalogFileSchema.parse({
      models: [
        model('small', 'economy', '1', '2'),
        model('dear-best', 'frontier', '20', '40'),
        model('best', 'frontier', '10', '20'),
        model('unlisted-best', 'frontier', '5', '10'),
      ],
      aliases: {},
      auto: { default: ['small', 'dear-best', 'best'], tasks: {} },
    }),
  );
  const classification: Classification = { task: 'chat', confidence: 0.9, complexity: 'low' };
  const subjects: RoutingSubjects = { catalog, classifier: { classify: () => classification } };
  const kind: RequestKind = {
    kind: 'chat',
    label: 'chat',
    intended: 'chat',
    count: 10,
    inputTokens: 1_000,
    outputTokens: 500,
    request: { model: 'auto', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi!' }] }] },
  };

  it("takes the cheapest model of auto's strongest tier as the baseline, not a model auto never picks", () => {
    expect(baselineModel(catalog).id).toBe('best');
  });

  it('prices auto and the baseline for the stated tokens and count', () => {
    const saving = mixedWorkloadSaving(subjects, [kind]);
    // small: 1,000 × $1 + 500 × $2 per million = $0.002 a request; best: 1,000 × $10 + 500 × $20 = $0.02.
    expect(saving.kinds[0]).toMatchObject({
      tier: 'economy',
      auto: { deploymentId: 'openai/small', costPerRequestNano: '2000000', costNano: '20000000' },
      strongest: { deploymentId: 'openai/best', costPerRequestNano: '20000000', costNano: '200000000' },
    });
    expect(saving).toMatchObject({ requests: 10, autoCostNano: '20000000', strongestCostNano: '200000000' });
    expect(saving.savingPercent).toBe(90);
  });

  it('rounds the saving down to two decimals and gives 0 when the baseline costs nothing', () => {
    expect(savingPercent(1n, 3n)).toBe(66.66);
    expect(savingPercent(3n, 3n)).toBe(0);
    expect(savingPercent(0n, 0n)).toBe(0);
  });
});
