import { Catalog, CatalogFileSchema, CatalogSource } from '@polymux/catalog';
import type {
  Budget,
  BudgetUse,
  CallScopes,
  ChatRequest,
  Classification,
  ClassifyRequest,
  ErrorPayload,
  PlanRequest,
  RequestSignals,
  TaskType,
} from '@polymux/contracts';
import {
  ErrorCode,
  Headers,
  PolymuxException,
  Subjects,
  embeddingIntakeOf,
  intakeOf,
  maxCallCost,
  maxCallTokens,
} from '@polymux/contracts';
import { loadConfig } from '@polymux/config';
import { MemoryBus, MessagingClient, decode, encode } from '@polymux/messaging';
import { requestSignals } from '@polymux/testing';

import { HealthService } from './health/health.service';
import { MemoryHealthStore } from './health/memory-health.store';
import { RouterService } from './router.service';
import { SecondOpinionService } from './second-opinion/second-opinion.service';

const deployment = (id: string, price = '1') => ({
  id,
  provider: 'openai',
  baseUrl: `http://${id.replace('/', '-')}.test/v1`,
  credentialRef: 'env:UPSTREAM_KEY',
  upstreamModel: id.split('/')[1],
  pricing: { input: price, output: price },
});
const catalog = new Catalog(
  CatalogFileSchema.parse({
    models: [
      {
        id: 'basic',
        contextWindow: 1_000,
        maxOutputTokens: 200,
        deployments: [deployment('a/basic'), deployment('b/basic', '2')],
      },
      {
        id: 'smart',
        aliases: ['vendor/smart'],
        contextWindow: 100_000,
        maxOutputTokens: 8_000,
        capabilities: { tools: true, vision: true, jsonSchema: true },
        deployments: [deployment('a/smart', '3')],
      },
      {
        id: 'coder',
        contextWindow: 50_000,
        maxOutputTokens: 4_000,
        capabilities: { tools: true },
        deployments: [deployment('a/coder', '2')],
      },
      {
        id: 'embed-small',
        contextWindow: 8_191,
        maxOutputTokens: 0,
        capabilities: { embeddings: true },
        dimensions: { default: 1_536, max: 1_536 },
        deployments: [deployment('a/embed-small', '0.02'), deployment('b/embed-small', '0.05')],
      },
      {
        id: 'embed-fixed',
        aliases: ['vendor/embed-fixed'],
        contextWindow: 8_191,
        maxOutputTokens: 0,
        capabilities: { embeddings: true },
        dimensions: { default: 1_536 },
        deployments: [deployment('a/embed-fixed', '0.1')],
      },
      {
        id: 'mystery',
        contextWindow: 50_000,
        maxOutputTokens: 4_000,
        capabilities: { tools: true },
        deployments: [{ ...deployment('a/mystery'), pricing: undefined, unpriced: true }],
      },
      {
        id: 'partly',
        contextWindow: 1_000,
        maxOutputTokens: 200,
        deployments: [{ ...deployment('a/partly'), pricing: undefined, unpriced: true }, deployment('b/partly')],
      },
    ],
    aliases: { fast: 'basic' },
    auto: { default: ['basic', 'smart'], tasks: { code: ['mystery', 'coder', 'smart', 'basic'] } },
  }),
);

const signals = requestSignals;
const chat = (model: string, fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
  stream: false,
  ...fields,
});

const failureOf = async (planned: Promise<unknown>): Promise<ErrorPayload> => {
  try {
    await planned;
  } catch (error) {
    if (error instanceof PolymuxException) return error.toPayload();
    throw error;
  }
  throw new Error('expected the plan to fail');
};

/** A router on `bus` without a second opinion (the default configuration). */
const routerOn = (bus: MemoryBus, health: HealthService): RouterService => {
  const catalogs = new CatalogSource(catalog);
  const messaging = new MessagingClient(bus);
  const config = loadConfig('router', {}, {});
  return new RouterService(catalogs, messaging, health, new SecondOpinionService(catalogs, messaging, health, config));
};

describe('RouterService', () => {
  let bus: MemoryBus;
  let router: RouterService;
  /** What the stand-in classifier answers, the signals the intake carries, and the requests seen. */
  let classification: Classification;
  let currentSignals: RequestSignals;
  let classified: Array<ClassifyRequest & { requestId?: string }>;
  let reserved: Array<{
    accountId: string;
    amount: string;
    ttlSeconds: number;
    scopes?: CallScopes;
    requestId?: string;
  }>;
  let released: string[];
  /** The budgets the stand-in billing answers a hold with, and a budget query with. */
  let budgetsOnHold: BudgetUse[] | undefined;
  let budgetQueries: unknown[];
  let health: HealthService;

  const classify = (task: TaskType, overrides: Partial<RequestSignals> = {}) => {
    classification = { task, confidence: 0.9 };
    currentSignals = signals(overrides);
  };
  const intake = (request: ChatRequest) => ({ ...intakeOf(request), signals: currentSignals });
  const plan = (request: ChatRequest, allowedModels: PlanRequest['allowedModels'] = null) =>
    router.plan({ intake: intake(request), allowedModels, accountId: 'acct-1', reservationTtlSeconds: 60 }, 'req-1');
  const candidateIds = async (request: ChatRequest, allowedModels: PlanRequest['allowedModels'] = null) =>
    (await plan(request, allowedModels)).candidates.map((candidate) => candidate.id);

  beforeEach(() => {
    bus = new MemoryBus();
    classify('chat');
    classified = [];
    reserved = [];
    released = [];
    budgetsOnHold = undefined;
    budgetQueries = [];
    health = new HealthService(new MemoryHealthStore(), loadConfig('router', {}, {}));
    const answer = (reply: string, payload: unknown) =>
      bus.publish(reply, { data: encode(payload), headers: { [Headers.streamEnd]: '1' } });
    bus.subscribe(Subjects.classify.subject, (message) => {
      classified.push({ ...(decode(message.data) as ClassifyRequest), requestId: message.headers[Headers.requestId] });
      answer(message.reply!, classification);
    });
    bus.subscribe(Subjects.reserve.subject, (message) => {
      const request = decode(message.data) as (typeof reserved)[number];
      reserved.push({ ...request, requestId: message.headers[Headers.requestId] });
      answer(message.reply!, {
        reservationId: `res-${reserved.length}`,
        amount: request.amount,
        ...(budgetsOnHold ? { budgets: budgetsOnHold } : {}),
      });
    });
    bus.subscribe(Subjects.budgets.subject, (message) => {
      budgetQueries.push(decode(message.data));
      const budgets: Budget[] = (budgetsOnHold ?? []).map((use) => ({
        id: use.budgetId,
        orgId: 'org-1',
        scope: use.scope,
        scopeId: 'key-1',
        period: 'daily',
        timezone: 'UTC',
        amount: use.amount,
        hardLimit: null,
        thresholds: [],
        createdAt: '2025-06-10T00:00:00.000Z',
        updatedAt: '2025-06-10T00:00:00.000Z',
        state: {
          periodStart: '2025-06-10T00:00:00.000Z',
          periodEnd: '2025-06-11T00:00:00.000Z',
          spent: use.spent,
          held: '0',
          alertedPercent: 0,
        },
      }));
      answer(message.reply!, { budgets });
    });
    bus.subscribe(Subjects.release.subject, (message) => {
      released.push((decode(message.data) as { reservationId: string }).reservationId);
      answer(message.reply!, { released: true });
    });
    router = routerOn(bus, health);
  });
  afterEach(() => bus.close());

  it("carries the classifier's complexity into the plan over the edge's estimate", async () => {
    classification = { task: 'code', confidence: 0.8, complexity: 'high', language: 'en' };
    await expect(plan(chat('basic'))).resolves.toMatchObject({ task: 'code', complexity: 'high' });
  });

  describe('a named model', () => {
    it('plans every deployment of the model in catalog order, with the classification and the request id', async () => {
      const request = chat('basic');
      const candidates = catalog.deployments(catalog.resolve('basic')!.model);
      await expect(plan(request)).resolves.toEqual({
        task: 'chat',
        confidence: 0.9,
        // A classification without a complexity: the edge's estimate.
        complexity: 'low',
        signals: signals(),
        resolvedFrom: 'model',
        strategy: 'ordered',
        candidates,
        reservation: { reservationId: 'res-1', amount: maxCallCost(candidates, intake(request)).toString() },
      });
      expect(classified).toEqual([{ sample: 'hello', signals: signals(), requestId: 'req-1' }]);
      expect(reserved).toEqual([
        {
          accountId: 'acct-1',
          amount: maxCallCost(candidates, intake(request)).toString(),
          ttlSeconds: 60,
          // What the org's plan checks: the model asked for, the models it may be served by, the token bound.
          call: { requestedModel: 'basic', models: ['basic'], maxTokens: maxCallTokens(candidates, intake(request)) },
          requestId: 'req-1',
        },
      ]);
    });

    it('resolves model aliases and catalog aliases', async () => {
      await expect(plan(chat('vendor/smart'))).resolves.toMatchObject({
        resolvedFrom: 'alias',
        candidates: [{ id: 'a/smart' }],
      });
      await expect(plan(chat('fast'))).resolves.toMatchObject({
        resolvedFrom: 'alias',
        candidates: [{ id: 'a/basic' }, { id: 'b/basic' }],
      });
    });

    it('never puts a URL or a credential reference into a plan', async () => {
      const planned = JSON.stringify(await plan(chat('basic')));
      expect(planned).not.toContain('http://');
      expect(planned).not.toContain('UPSTREAM_KEY');
    });

    it('refuses an unpriced model, naming why, and plans only the priced deployments of a model', async () => {
      expect(await failureOf(plan(chat('mystery')))).toEqual({
        code: ErrorCode.NoCapableModel,
        message:
          "the model `mystery` has no price in this gateway's catalog yet, so its calls cannot be billed; ask the platform team to price it",
        param: 'model',
      });
      expect(reserved).toEqual([]);
      await expect(plan(chat('partly'))).resolves.toMatchObject({ candidates: [{ id: 'b/partly' }] });
    });

    it('is not found when no model or alias has the name', async () => {
      expect(await failureOf(plan(chat('gpt-7')))).toEqual({
        code: ErrorCode.ModelNotFound,
        message: 'The model `gpt-7` does not exist',
        param: 'model',
      });
    });
  });

  describe('allowed models', () => {
    it('allows any model when the key has no list', async () => {
      expect(await candidateIds(chat('smart'), null)).toEqual(['a/smart']);
    });

    it('allows a model and every alias of it when the list names the model', async () => {
      expect(await candidateIds(chat('vendor/smart'), ['smart'])).toEqual(['a/smart']);
      expect(await candidateIds(chat('fast'), ['basic'])).toEqual(['a/basic', 'b/basic']);
    });

    it('allows an alias the list names, but not the model under another name', async () => {
      expect(await candidateIds(chat('fast'), ['fast'])).toEqual(['a/basic', 'b/basic']);
      expect(await failureOf(plan(chat('basic'), ['fast']))).toMatchObject({ code: ErrorCode.ModelNotAllowed });
    });

    it('refuses a model the list does not name, before checking capabilities', async () => {
      classify('chat', { hasTools: true });
      expect(await failureOf(plan(chat('basic'), ['smart']))).toEqual({
        code: ErrorCode.ModelNotAllowed,
        message: 'this key may not use the model `basic`',
        param: 'model',
      });
    });

    it('refuses everything to a key with an empty list', async () => {
      expect(await failureOf(plan(chat('basic'), []))).toMatchObject({ code: ErrorCode.ModelNotAllowed });
      expect(await failureOf(plan(chat('auto'), []))).toMatchObject({ code: ErrorCode.NoCapableModel });
    });

    it('lists the models the key may use by id, each with its aliases, and no alias as a model', () => {
      expect(router.listModels(null).models.map((model) => model.id)).toEqual([
        'basic',
        'smart',
        'coder',
        'embed-small',
        'embed-fixed',
        'mystery',
        'partly',
      ]);
      // An unpriced model is listed, without prices: the key sees it exists and cannot be called yet.
      expect(router.listModels(['mystery']).models).toEqual([
        expect.objectContaining({ id: 'mystery', pricing: null }),
      ]);
      expect(router.listModels(['smart']).models).toEqual([
        expect.objectContaining({ id: 'smart', ownedBy: 'openai', aliases: ['vendor/smart'] }),
      ]);
      expect(router.listModels(['fast']).models).toEqual([]);
      expect(router.listModels([]).models).toEqual([]);
    });
  });

  describe('capability filter', () => {
    it.each([
      ['tools', { hasTools: true }, 'does not support tool calling'],
      ['images', { hasImages: true }, 'does not accept images'],
      ['a response format', { hasResponseFormat: true }, 'does not support structured output'],
    ])('refuses a named model that cannot take %s', async (_what, needs, reason) => {
      classify('chat', needs);
      expect(await failureOf(plan(chat('basic')))).toEqual({
        code: ErrorCode.NoCapableModel,
        message: `the model \`basic\` ${reason}`,
        param: 'model',
      });
      expect(await candidateIds(chat('smart'))).toEqual(['a/smart']);
    });

    it('refuses a request whose input plus bounded output does not fit the context window', async () => {
      classify('chat', { estimatedInputTokens: 900 });
      expect(await candidateIds(chat('basic', { maxOutputTokens: 100 }))).toEqual(['a/basic', 'b/basic']);
      expect(await failureOf(plan(chat('basic', { maxOutputTokens: 101 })))).toEqual({
        code: ErrorCode.NoCapableModel,
        message: 'the model `basic` has a 1000-token context window, too small for this request',
        param: 'model',
      });
    });

    it('bounds the requested output by the model maximum when fitting the context window', async () => {
      classify('chat', { estimatedInputTokens: 800 });
      expect(await candidateIds(chat('basic', { maxOutputTokens: 1_000_000 }))).toEqual(['a/basic', 'b/basic']);
      classify('chat', { estimatedInputTokens: 801 });
      expect(await failureOf(plan(chat('basic', { maxOutputTokens: 1_000_000 })))).toMatchObject({
        code: ErrorCode.NoCapableModel,
      });
    });
  });

  describe('auto', () => {
    it('plans the capable deployments of the task list cheapest first (equal prices in list order)', async () => {
      classify('code');
      await expect(plan(chat('auto'))).resolves.toMatchObject({
        task: 'code',
        resolvedFrom: 'auto',
        strategy: 'cheapest-capable',
      });
      expect(await candidateIds(chat('auto'))).toEqual(['a/basic', 'a/coder', 'b/basic', 'a/smart']);
    });

    it('falls back to the default list for a task without one', async () => {
      classify('summarization');
      expect(await candidateIds(chat('auto'))).toEqual(['a/basic', 'b/basic', 'a/smart']);
    });

    it('drops models that cannot serve the request', async () => {
      classify('code', { hasTools: true });
      expect(await candidateIds(chat('auto'))).toEqual(['a/coder', 'a/smart']);
      classify('code', { hasImages: true });
      expect(await candidateIds(chat('auto'))).toEqual(['a/smart']);
      classify('chat', { estimatedInputTokens: 5_000 });
      expect(await candidateIds(chat('auto'))).toEqual(['a/smart']);
    });

    it('never picks an unpriced model, even first in the task list', async () => {
      classify('code');
      expect(await candidateIds(chat('auto'))).toEqual(['a/basic', 'a/coder', 'b/basic', 'a/smart']);
      expect(await failureOf(plan(chat('auto'), ['mystery']))).toMatchObject({ code: ErrorCode.NoCapableModel });
    });

    it('drops models the key may not use; an alias in the list does not admit its model to auto', async () => {
      classify('code');
      expect(await candidateIds(chat('auto'), ['basic', 'coder'])).toEqual(['a/basic', 'a/coder', 'b/basic']);
      expect(await candidateIds(chat('auto'), ['vendor/smart', 'basic'])).toEqual(['a/basic', 'b/basic']);
    });

    it('is NoCapableModel when nothing allowed can serve the request', async () => {
      classify('chat', { hasImages: true });
      expect(await failureOf(plan(chat('auto'), ['basic', 'coder']))).toEqual({
        code: ErrorCode.NoCapableModel,
        message:
          'no model this key may use can serve this chat request: a/basic does not accept images; b/basic does not accept images',
        param: 'model',
      });
    });
  });

  describe('the reservation', () => {
    it('holds, for auto, the most any model of any task could cost, and takes no hold when nothing can serve', async () => {
      classify('summarization');
      const request = chat('auto', { maxOutputTokens: 100 });
      const planned = await plan(request);
      const everyAuto = ['coder', 'smart', 'basic'].flatMap((name) =>
        catalog.deployments(catalog.resolve(name)!.model),
      );
      expect(reserved[0].amount).toBe(maxCallCost(everyAuto, intake(request)).toString());
      // At least what the summarization list needs: the task was not known when it was taken.
      expect(BigInt(reserved[0].amount)).toBeGreaterThanOrEqual(maxCallCost(planned.candidates, intake(request)));
      classify('chat', { hasImages: true });
      reserved = [];
      expect(await failureOf(plan(chat('auto'), ['basic']))).toMatchObject({ code: ErrorCode.NoCapableModel });
      expect(await failureOf(plan(chat('gpt-7')))).toMatchObject({ code: ErrorCode.ModelNotFound });
      expect(reserved).toEqual([]);
    });

    it('gives the hold back when the classification fails after it was taken', async () => {
      await bus.close();
      bus = new MemoryBus();
      bus.subscribe(Subjects.classify.subject, (message) =>
        bus.publish(message.reply!, {
          data: encode(new PolymuxException(ErrorCode.Internal, 'classifier broke').toPayload()),
          headers: { [Headers.streamEnd]: '1', [Headers.error]: '1' },
        }),
      );
      bus.subscribe(Subjects.reserve.subject, (message) =>
        bus.publish(message.reply!, {
          data: encode({ reservationId: 'res-held', amount: '5' }),
          headers: { [Headers.streamEnd]: '1' },
        }),
      );
      bus.subscribe(Subjects.release.subject, (message) => {
        released.push((decode(message.data) as { reservationId: string }).reservationId);
        bus.publish(message.reply!, { data: encode({ released: true }), headers: { [Headers.streamEnd]: '1' } });
      });
      router = routerOn(bus, health);
      expect(await failureOf(plan(chat('basic')))).toMatchObject({ message: 'classifier broke' });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(released).toEqual(['res-held']);
    });

    it('passes a refused reservation on as the plan’s answer', async () => {
      await bus.close();
      bus = new MemoryBus();
      bus.subscribe(Subjects.classify.subject, (message) =>
        bus.publish(message.reply!, { data: encode(classification), headers: { [Headers.streamEnd]: '1' } }),
      );
      bus.subscribe(Subjects.reserve.subject, (message) =>
        bus.publish(message.reply!, {
          data: encode(new PolymuxException(ErrorCode.InsufficientCredits, 'no credits').toPayload()),
          headers: { [Headers.streamEnd]: '1', [Headers.error]: '1' },
        }),
      );
      router = routerOn(bus, health);
      expect(await failureOf(plan(chat('basic')))).toMatchObject({ code: ErrorCode.InsufficientCredits });
    });
  });

  describe('budget pressure', () => {
    const scopes: CallScopes = { orgId: 'org-1', teamId: null, projectId: 'project-1', keyId: 'key-1' };
    const policy: PlanRequest['policy'] = {
      strategy: { type: 'ordered', order: ['smart'] },
      budgetPressure: { atPercent: 75 },
    };
    const planFor = (request: ChatRequest) =>
      router.plan(
        {
          intake: intake(request),
          allowedModels: null,
          policy,
          scopes,
          accountId: 'acct-1',
          reservationTtlSeconds: 60,
        },
        'req-1',
      );
    const explainFor = (request: ChatRequest) =>
      router.explain({ intake: intake(request), allowedModels: null, policy, scopes }, 'req-1');

    it("holds on the call's budgets and orders by the cheapest once one is past the threshold", async () => {
      budgetsOnHold = [{ budgetId: 'b-1', scope: 'key', amount: '1000', spent: '740' }];
      const relaxed = await planFor(chat('auto'));
      expect(reserved[0]).toMatchObject({ scopes });
      expect(relaxed.strategy).toBe('ordered');
      expect(relaxed.candidates[0]!.id).toBe('a/smart');
      expect(relaxed.budgetPressure).toBeUndefined();

      budgetsOnHold = [
        { budgetId: 'b-1', scope: 'key', amount: '1000', spent: '740' },
        { budgetId: 'b-2', scope: 'org', amount: '1000', spent: '750' },
      ];
      const pressed = await planFor(chat('auto'));
      expect(pressed).toMatchObject({
        strategy: 'cheapest-capable',
        candidates: [{ id: 'a/basic' }, { id: 'b/basic' }, { id: 'a/smart' }],
        budgetPressure: { budgetId: 'b-2', scope: 'org', usedPercent: 75, atPercent: 75 },
      });
    });

    it('explains under the same pressure, reading the budgets from billing only when the policy asks', async () => {
      budgetsOnHold = [{ budgetId: 'b-1', scope: 'key', amount: '1000', spent: '900' }];
      await expect(explainFor(chat('auto'))).resolves.toMatchObject({
        strategy: 'cheapest-capable',
        model: 'basic',
        budgetPressure: { budgetId: 'b-1', usedPercent: 90 },
      });
      expect(budgetQueries).toEqual([{ call: scopes }]);
      const explained = await router.explain({ intake: intake(chat('auto')), allowedModels: null, scopes }, 'req-2');
      expect(explained.budgetPressure).toBeUndefined();
      expect(budgetQueries).toHaveLength(1);
      expect(reserved).toEqual([]);
    });
  });

  describe('embeddings', () => {
    const embed = (model: string, fields: { dimensions?: number; input?: string[] } = {}) => ({
      model,
      input: fields.input ?? ['hello', 'wörld'],
      ...(fields.dimensions !== undefined ? { dimensions: fields.dimensions } : {}),
    });
    const planEmbeddings = (request: ReturnType<typeof embed>, allowedModels: PlanRequest['allowedModels'] = null) =>
      router.plan(
        { intake: embeddingIntakeOf(request), allowedModels, accountId: 'acct-1', reservationTtlSeconds: 60 },
        'req-1',
      );

    it('plans every deployment of the model without classifying, as the embeddings task', async () => {
      const planned = await planEmbeddings(embed('embed-small'));
      expect(planned).toMatchObject({ task: 'embeddings', resolvedFrom: 'model', confidence: 1 });
      expect(planned.candidates.map((candidate) => candidate.id)).toEqual(['a/embed-small', 'b/embed-small']);
      expect(classified).toEqual([]);
    });

    it('holds the input bound at the dearest candidate input price, and nothing for output', async () => {
      // 'hello' is 5 UTF-8 bytes, 'wörld' 6: 11 tokens at most, at $0.05/M on b/embed-small.
      const planned = await planEmbeddings(embed('embed-small'));
      const expected = (11n * 50_000_000n + 999_999n) / 1_000_000n;
      expect(reserved).toEqual([
        {
          accountId: 'acct-1',
          amount: expected.toString(),
          ttlSeconds: 60,
          // An embedding's token bound is its input's: it produces no tokens.
          call: { requestedModel: 'embed-small', models: ['embed-small'], maxTokens: 11 },
          requestId: 'req-1',
        },
      ]);
      expect(planned.reservation.amount).toBe(expected.toString());
      expect(maxCallCost(planned.candidates, { prompt: { tokens: 11, images: [] } })).toBe(expected);
    });

    it('refuses a chat model for embeddings and an embeddings model for chat, taking no hold', async () => {
      expect(await failureOf(planEmbeddings(embed('basic')))).toMatchObject({
        code: ErrorCode.NoCapableModel,
        message: 'the model `basic` is not an embeddings model: call it on POST /v1/chat/completions',
        param: 'model',
      });
      expect(await failureOf(plan(chat('embed-small')))).toMatchObject({
        code: ErrorCode.NoCapableModel,
        message: 'the model `embed-small` is an embeddings model: call it on POST /v1/embeddings',
      });
      expect(reserved).toEqual([]);
    });

    it('refuses auto for embeddings, and never lets auto choose an embeddings model for chat', async () => {
      expect(await failureOf(planEmbeddings(embed('auto')))).toMatchObject({ code: ErrorCode.NoCapableModel });
      for (const task of ['chat', 'code'] as const) {
        classify(task);
        const ids = await candidateIds(chat('auto'));
        expect(ids.some((id) => id.includes('embed'))).toBe(false);
      }
    });

    it('takes `dimensions` up to the model maximum, and only the default size on a fixed model', async () => {
      await expect(planEmbeddings(embed('embed-small', { dimensions: 256 }))).resolves.toMatchObject({
        task: 'embeddings',
      });
      expect(await failureOf(planEmbeddings(embed('embed-small', { dimensions: 2_048 })))).toMatchObject({
        code: ErrorCode.NoCapableModel,
        message: 'the model `embed-small` has at most 1536 dimensions',
      });
      await expect(planEmbeddings(embed('vendor/embed-fixed', { dimensions: 1_536 }))).resolves.toMatchObject({
        resolvedFrom: 'alias',
      });
      expect(await failureOf(planEmbeddings(embed('embed-fixed', { dimensions: 512 })))).toMatchObject({
        code: ErrorCode.NoCapableModel,
        message: 'the model `embed-fixed` has a fixed vector size and does not take `dimensions`',
      });
    });

    it('applies the key model scope and unknown names as for chat', async () => {
      expect(await failureOf(planEmbeddings(embed('embed-small'), ['basic']))).toMatchObject({
        code: ErrorCode.ModelNotAllowed,
      });
      expect(await failureOf(planEmbeddings(embed('nope')))).toMatchObject({ code: ErrorCode.ModelNotFound });
    });
  });
});
