import { randomUUID } from 'node:crypto';

import { CatalogFileSchema, Catalog, CatalogSource } from '@polymux/catalog';
import { loadConfig } from '@polymux/config';
import { Headers, Subjects, intakeOf } from '@polymux/contracts';
import { MemoryBus, MessagingClient, encode } from '@polymux/messaging';
import { Redis } from 'ioredis';

import { RouterService } from '../router.service';
import { SecondOpinionService } from '../second-opinion/second-opinion.service';
import { describeHealthStore } from './health-store.contract';
import { HealthService } from './health.service';
import { RedisHealthStore } from './redis-health.store';

const prefix = `test:router-health:${randomUUID()}:`;
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const clients: Redis[] = [];
const client = () => {
  const redis = new Redis(url, { keyPrefix: prefix, enableAutoPipelining: true });
  clients.push(redis);
  return redis;
};

afterAll(async () => {
  const redis = clients[0] ?? client();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
  await Promise.all(clients.map((entry) => entry.quit()));
});

describeHealthStore('redis', () => new RedisHealthStore(client()));

describe('deployment health shared by two router replicas on one Redis', () => {
  const config = loadConfig('router', { POLYMUX_BREAKER_FAILURES: '2', POLYMUX_BREAKER_OPEN_MS: '60000' }, {});
  const deployment = (id: string) => ({
    id,
    provider: 'openai',
    baseUrl: 'http://sim.test/v1',
    upstreamModel: 'm',
    pricing: { input: '1', output: '1' },
  });
  const unique = randomUUID();
  const [first, second] = [`a-${unique}/m`, `b-${unique}/m`];
  const catalog = new Catalog(
    CatalogFileSchema.parse({
      models: [
        { id: 'm', contextWindow: 1_000, maxOutputTokens: 100, deployments: [deployment(first), deployment(second)] },
      ],
      auto: { default: ['m'] },
    }),
  );
  const bus = new MemoryBus();
  const replica = () => {
    const health = new HealthService(new RedisHealthStore(client()), config);
    const [catalogs, messaging] = [new CatalogSource(catalog), new MessagingClient(bus)];
    const opinions = new SecondOpinionService(catalogs, messaging, health, config);
    return { health, router: new RouterService(catalogs, messaging, health, opinions) };
  };
  const plan = (router: RouterService) =>
    router.plan(
      {
        intake: intakeOf({
          model: 'm',
          messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
          stream: false,
        }),
        allowedModels: null,
        accountId: 'acct',
        reservationTtlSeconds: 60,
      },
      'req',
    );

  beforeAll(() => {
    const answer = (reply: string, payload: unknown) =>
      bus.publish(reply, { data: encode(payload), headers: { [Headers.streamEnd]: '1' } });
    bus.subscribe(Subjects.classify.subject, (message) => answer(message.reply!, { task: 'chat', confidence: 1 }));
    bus.subscribe(Subjects.reserve.subject, (message) => answer(message.reply!, { reservationId: 'r', amount: '1' }));
  });
  afterAll(() => bus.close());

  it("moves a deployment whose breaker one replica opened behind the healthy one in the other's plans", async () => {
    const one = replica();
    const other = replica();
    expect((await plan(other.router)).candidates.map((entry) => entry.id)).toEqual([first, second]);
    for (let i = 0; i < 2; i++)
      await one.health.record({ deploymentId: first, outcome: 'failed', latencyMs: 3, upstreamStatus: 500 });
    const planned = await plan(other.router);
    expect(planned.candidates.map((entry) => entry.id)).toEqual([second, first]);
    expect(planned.skipped).toEqual([{ deploymentId: first, reason: 'open' }]);
    expect((await other.health.snapshot([first])).get(first)).toMatchObject({ breaker: 'open', errorRate: 1 });
  });
});
