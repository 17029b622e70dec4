import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { BudgetThresholdCrossed } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import type { Kysely } from 'kysely';
import { connect } from 'nats';

import { BillingModule } from '../billing.module';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import { signWebhook } from './webhook-signature';

jest.setTimeout(60_000);

/*
 * The dispatcher in a billing service over real NATS (the BUDGETS stream, its durable consumer,
 * redelivery and dead letters) and Postgres, with secrets sealed at rest, against a receiver on
 * loopback. Alerts are published here as billing's settlement would publish them.
 */

const namespace = `it_webhooks_${randomUUID().slice(0, 8)}`;
const MAX_ATTEMPTS = 3;
const env = {
  ...isolatedServiceEnv(namespace),
  POLYMUX_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
  POLYMUX_WEBHOOKS_ALLOW_LOOPBACK_HTTP: 'true',
  POLYMUX_WEBHOOK_RETRY_BASE_MS: '100',
  POLYMUX_WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
};

let billing: RunningService;
let client: MessagingClient;
let db: Kysely<DB>;
let receiver: Server;
let base: string;
const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
const statusOf = new Map<string, number>();

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(statusOf.get(path) ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  billing = await startService({ name: 'billing', modules: [BillingModule] }, env);
  client = billing.app.get(MessagingClient);
  db = billing.app.get(BILLING_DB);
});

afterAll(async () => {
  await billing?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

const alertOf = (orgId: string, budgetId = randomUUID()): BudgetThresholdCrossed => ({
  id: `${budgetId}:1767225600000:80`,
  budgetId,
  orgId,
  scope: 'project',
  scopeId: randomUUID(),
  period: 'monthly',
  timezone: 'UTC',
  periodStart: '2026-01-01T00:00:00.000Z',
  periodEnd: '2026-02-01T00:00:00.000Z',
  thresholdPercent: 80,
  amount: '1000000000',
  hardLimit: null,
  spent: '812000000',
  requestId: randomUUID(),
  occurredAt: new Date().toISOString(),
});
const publish = (alert: BudgetThresholdCrossed) =>
  client.emit(Subjects.budgetThresholdCrossed, alert, { messageId: alert.id, requestId: alert.requestId });
const create = (orgId: string, path: string) =>
  client.request(Subjects.createWebhook, {
    orgId,
    budgetId: null,
    url: `${base}${path}`,
    eventTypes: ['budget.threshold_crossed'],
    enabled: true,
  });
const deliveriesOf = (endpointId: string) =>
  client.request(Subjects.webhookDeliveries, { endpointId, limit: 10 }).then((answer) => answer.deliveries);
/** The dead letters of this namespace's threshold events, with why they died. */
const deadLetters = async () => {
  const nats = await connect({ servers: env.NATS_URL });
  try {
    const manager = await nats.jetstreamManager();
    const stream = `${namespace.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_DEADLETTER`;
    const { state } = await manager.streams.info(stream);
    const letters: Array<{ id: string; reason: string; consumer: string }> = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const letter = await manager.streams.getMessage(stream, { seq });
      letters.push({
        id: letter.json<BudgetThresholdCrossed>().id,
        reason: letter.header.get('polymux-dead-letter-reason'),
        consumer: letter.header.get('polymux-dead-letter-consumer'),
      });
    }
    return letters;
  } finally {
    await nats.close();
  }
};

describe('budget webhooks over NATS and Postgres', () => {
  it('stores the secret sealed, never as given, and signs with the one it answered', async () => {
    const orgId = randomUUID();
    const { endpoint, secret } = await create(orgId, '/sealed');
    const row = await db
      .selectFrom('webhook_endpoints')
      .select(['secret', 'secret_sealed'])
      .where('id', '=', endpoint.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_sealed).toBe(true);
    expect(row.secret).not.toContain(secret.slice('whsec_'.length));
    const alert = alertOf(orgId);
    await publish(alert);
    const [post] = await pollUntil(
      () => Promise.resolve(received.filter((request) => request.path === '/sealed')),
      (posts) => posts.length > 0,
    );
    const timestamp = String(post!.headers['x-polymux-webhook-timestamp']);
    expect(post!.headers['x-polymux-webhook-signature']).toBe(signWebhook(secret, timestamp, post!.body));
    expect(post!.headers['x-polymux-webhook-id']).toBe(alert.id);
    expect(
      await pollUntil(
        () => deliveriesOf(endpoint.id),
        (rows) => rows[0]?.status === 'delivered',
      ),
    ).toEqual([expect.objectContaining({ id: alert.id, attempts: 1, lastStatusCode: 200 })]);
  });

  it('dead-letters an alert once an endpoint used up its attempts, after the others were delivered', async () => {
    const orgId = randomUUID();
    statusOf.set('/broken', 500);
    const broken = await create(orgId, '/broken');
    const working = await create(orgId, '/working');
    // Another org's endpoint hears nothing of this org's alerts.
    const stranger = await create(randomUUID(), '/stranger');
    const alert = alertOf(orgId);
    await publish(alert);
    const letters = await pollUntil(deadLetters, (found) => found.some((letter) => letter.id === alert.id), {
      timeoutMs: 20_000,
    });
    expect(letters.filter((letter) => letter.id === alert.id)).toEqual([
      { id: alert.id, reason: 'max_deliveries', consumer: 'billing-billing-budget-threshold-crossed-v1' },
    ]);
    expect(await deliveriesOf(broken.endpoint.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: MAX_ATTEMPTS, lastError: 'HTTP 500' }),
    ]);
    expect(await deliveriesOf(working.endpoint.id)).toEqual([
      expect.objectContaining({ status: 'delivered', attempts: 1 }),
    ]);
    expect(received.filter((request) => request.path === '/broken')).toHaveLength(MAX_ATTEMPTS);
    expect(received.filter((request) => request.path === '/working')).toHaveLength(1);
    expect(await deliveriesOf(stranger.endpoint.id)).toEqual([]);
  });

  it('refuses a budget of another org and an endpoint that does not exist', async () => {
    await expect(
      client.request(Subjects.createWebhook, {
        orgId: randomUUID(),
        budgetId: randomUUID(),
        url: `${base}/x`,
        eventTypes: ['budget.threshold_crossed'],
        enabled: true,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(client.request(Subjects.rotateWebhookSecret, { endpointId: randomUUID() })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });
});
