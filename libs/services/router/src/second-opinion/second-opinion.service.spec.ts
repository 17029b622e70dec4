import { Catalog, CatalogFileSchema, CatalogSource } from '@polymux/catalog';
import { ConfigError, loadConfig } from '@polymux/config';
import type { ChatRequest, Classification, InvokeFrame, InvokeRequest } from '@polymux/contracts';
import { ErrorCode, Headers, PolymuxException, Subjects, intakeOf } from '@polymux/contracts';
import { MemoryBus, MessagingClient, decode, encode } from '@polymux/messaging';

import { HealthService } from '../health/health.service';
import { MemoryHealthStore } from '../health/memory-health.store';
import { RouterService } from '../router.service';
import { SecondOpinionService } from './second-opinion.service';

const deployment = (id: string, price = '1') => ({
  id,
  provider: 'openai',
  baseUrl: `http://${id.replace('/', '-')}.test/v1`,
  upstreamModel: id.split('/')[1],
  pricing: { input: price, output: price },
});
const catalog = new Catalog(
  CatalogFileSchema.parse({
    models: [
      { id: 'small', contextWindow: 8_000, maxOutputTokens: 1_000, deployments: [deployment('a/small')] },
      {
        id: 'nano',
        aliases: ['judge'],
        contextWindow: 8_000,
        maxOutputTokens: 1_000,
        deployments: [deployment('a/nano', '0.1'), deployment('b/nano', '0.2')],
      },
      {
        id: 'embed',
        contextWindow: 8_000,
        maxOutputTokens: 0,
        capabilities: { embeddings: true },
        dimensions: { default: 8 },
        deployments: [deployment('a/embed')],
      },
    ],
    auto: { default: ['small'] },
  }),
);

const chat = (text: string): ChatRequest => ({
  model: 'auto',
  stream: false,
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});
const response = (content: string): InvokeFrame => ({
  type: 'response',
  response: {
    id: 'r',
    model: 'nano',
    created: 1,
    choices: [{ index: 0, content, finishReason: 'stop' }],
    usage: { inputTokens: 90, outputTokens: 1 },
  },
});

describe('the second opinion on an unsure classification (RouterService over a memory bus)', () => {
  let bus: MemoryBus;
  let health: HealthService;
  /** What the stand-in classifier answers, and what the stand-in executor does with each invocation. */
  let classification: Classification;
  let executor: (reply: string, invocation: InvokeRequest) => void;
  let invoked: InvokeRequest[];

  const publish = (reply: string, payload: unknown, headers: Record<string, string> = {}) =>
    bus.publish(reply, { data: encode(payload), headers: { [Headers.streamEnd]: '1', ...headers } });
  const answering = (text: string) => (reply: string) => publish(reply, response(text));

  const routerWith = (env: Record<string, string>) => {
    const config = loadConfig('router', env, {});
    health = new HealthService(new MemoryHealthStore(), config);
    const catalogs = new CatalogSource(catalog);
    const messaging = new MessagingClient(bus);
    return new RouterService(
      catalogs,
      messaging,
      health,
      new SecondOpinionService(catalogs, messaging, health, config),
    );
  };
  const ON = { POLYMUX_SECOND_OPINION_MODEL: 'judge', POLYMUX_SECOND_OPINION_BELOW: '0.5' };
  const plan = (router: RouterService, text = 'Tell me about autumn') =>
    router.plan(
      { intake: intakeOf(chat(text)), allowedModels: null, accountId: 'acct', reservationTtlSeconds: 60 },
      'req-1',
    );

  beforeEach(() => {
    bus = new MemoryBus();
    classification = { task: 'chat', confidence: 0.3, complexity: 'low', language: 'en' };
    invoked = [];
    executor = answering('creative');
    bus.subscribe(Subjects.classify.subject, (message) => publish(message.reply!, classification));
    bus.subscribe(Subjects.reserve.subject, (message) =>
      publish(message.reply!, { reservationId: 'res-1', amount: '100' }),
    );
    bus.subscribe(Subjects.invoke.subject, (message) => {
      const invocation = decode(message.data) as InvokeRequest;
      invoked.push(invocation);
      executor(message.reply!, invocation);
    });
  });
  afterEach(() => bus.close());

  it('is off by default: an unsure classification is planned as it is, and no model is asked', async () => {
    const planned = await plan(routerWith({}));
    expect(planned.task).toBe('chat');
    expect(planned.secondOpinion).toBeUndefined();
    expect(invoked).toEqual([]);
  });

  it("asks the configured model's first deployment through the executor and follows the task it names", async () => {
    const planned = await plan(routerWith(ON), 'Tell me about autumn');
    expect(planned).toMatchObject({
      task: 'creative',
      confidence: 0.3,
      // Creative is not demanding and the prompt is short: low whatever the confidence.
      complexity: 'low',
      secondOpinion: { model: 'judge', outcome: 'used', classifierTask: 'chat' },
    });
    expect(invoked).toHaveLength(1);
    expect(invoked[0]!.deploymentId).toBe('a/nano');
    expect(invoked[0]!.request).toMatchObject({ model: 'nano', stream: false, maxOutputTokens: 8 });
    expect(JSON.stringify(invoked[0]!.request.messages.at(-1))).toContain('Tell me about autumn');
  });

  it('recomputes the complexity when the named task is demanding', async () => {
    executor = answering('Reasoning');
    await expect(plan(routerWith(ON))).resolves.toMatchObject({ task: 'reasoning', complexity: 'high' });
  });

  it('does not ask when the classifier is sure enough', async () => {
    classification = { ...classification, confidence: 0.8 };
    const planned = await plan(routerWith(ON));
    expect(planned).toMatchObject({ task: 'chat' });
    expect(planned.secondOpinion).toBeUndefined();
    expect(invoked).toEqual([]);
  });

  it("keeps the classifier's task when the answer names no task type", async () => {
    executor = answering('I would say it is a poem request');
    await expect(plan(routerWith(ON))).resolves.toMatchObject({
      task: 'chat',
      secondOpinion: { model: 'judge', outcome: 'invalid', classifierTask: 'chat' },
    });
  });

  it("keeps the classifier's task when the model's call fails", async () => {
    executor = (reply) =>
      publish(reply, new PolymuxException(ErrorCode.UpstreamError, 'upstream said 500').toPayload(), {
        [Headers.error]: '1',
      });
    await expect(plan(routerWith(ON))).resolves.toMatchObject({
      task: 'chat',
      secondOpinion: { outcome: 'failed', classifierTask: 'chat' },
    });
  });

  it("keeps the classifier's task when the model does not answer in time", async () => {
    executor = () => undefined;
    await expect(plan(routerWith({ ...ON, POLYMUX_SECOND_OPINION_TIMEOUT_MS: '30' }))).resolves.toMatchObject({
      task: 'chat',
      secondOpinion: { outcome: 'failed' },
    });
  });

  it('skips a deployment whose breaker is open, and is unavailable when every one is', async () => {
    const router = routerWith({ ...ON, POLYMUX_BREAKER_FAILURES: '1' });
    const fail = (deploymentId: string) =>
      health.record({ deploymentId, outcome: 'failed', latencyMs: 5, upstreamStatus: 500 });
    await fail('a/nano');
    await expect(plan(router)).resolves.toMatchObject({ task: 'creative' });
    expect(invoked.map((invocation) => invocation.deploymentId)).toEqual(['b/nano']);
    await fail('b/nano');
    await expect(plan(router)).resolves.toMatchObject({ task: 'chat', secondOpinion: { outcome: 'unavailable' } });
    expect(invoked).toHaveLength(1);
  });

  it('never asks in an explanation, which calls no provider: it says a call would ask', async () => {
    const explained = await routerWith(ON).explain({
      intake: intakeOf(chat('Tell me about autumn')),
      allowedModels: null,
    });
    expect(explained).toMatchObject({
      task: 'chat',
      secondOpinion: { model: 'judge', outcome: 'not-asked', classifierTask: 'chat' },
    });
    expect(invoked).toEqual([]);
  });

  it.each([['unknown-model'], ['embed']])('refuses to start with %s as the second opinion', (model) => {
    expect(() => routerWith({ POLYMUX_SECOND_OPINION_MODEL: model })).toThrow(ConfigError);
  });
});
