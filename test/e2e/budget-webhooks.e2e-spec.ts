import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * Budget alerts as signed webhooks, end to end: endpoints managed through the admin API (control →
 * billing → Postgres), a call whose settlement crosses a soft threshold (usage stream → billing →
 * BUDGETS stream), and billing's dispatcher POSTing it to a receiver on loopback, retried through
 * the bus's redelivery. The catalog makes a call cost about 100,000 nano-USD (see budgets.catalog.yaml).
 */

/** What a receiver does, as docs/billing.md shows it: the signature over `<timestamp>.<body>`, and a fresh timestamp. */
const verify = (secret: string, headers: IncomingHttpHeaders, body: string, toleranceSeconds = 300): boolean => {
  const timestamp = String(headers['x-polymux-webhook-timestamp']);
  const signature = String(headers['x-polymux-webhook-signature']);
  if (!(Math.abs(Date.now() / 1000 - Number(timestamp)) <= toleranceSeconds)) return false;
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
};

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  atMs: number;
}

interface EndpointView {
  id: string;
  orgId: string;
  budgetId: string | null;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  secretPrefix: string;
  secret?: string;
}

interface DeliveryView {
  id: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

const MAX_ATTEMPTS = 3;

describe.each(MODES)('budget webhooks (%s mode)', (mode) => {
  let gateway: Gateway;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  /** Statuses a path answers in turn; the last one repeats. */
  const scripts = new Map<string, number[]>();

  const raw = (method: string, path: string, body?: unknown) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const at = (path: string) => received.filter((request) => request.path === path);
  const endpoint = (body: Record<string, unknown>) =>
    gateway.admin<EndpointView>('POST', '/webhooks', { orgId: gateway.orgId, ...body });
  const deliveries = (id: string) =>
    gateway.admin<{ data: DeliveryView[] }>('GET', `/webhooks/${id}/deliveries`).then((result) => result.data);
  const settledDeliveries = (id: string) =>
    pollUntil(
      () => deliveries(id),
      (rows) => rows.length > 0 && rows.every((row) => row.status !== 'pending'),
      { timeoutMs: 30_000 },
    );
  /** A key with a weekly budget of 150,000 nano-USD: its first call crosses 50 %, its second 100 %. */
  const keyWithBudget = async () => {
    const key = await gateway.admin<{ id: string; key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'k',
    });
    const budget = await gateway.admin<{ id: string }>('POST', '/budgets', {
      scope: 'key',
      scopeId: key.id,
      period: 'weekly',
      amountUsd: '0.00015',
      thresholds: [50, 100],
    });
    return { key: key.key, budgetId: budget.id };
  };
  const chat = async (key: string) => {
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'small-model',
        messages: [{ role: 'user', content: 'Say hello.' }],
        max_tokens: 15,
      }),
    });
    expect(response.status).toBe(200);
    await response.json();
    return response.headers.get('x-request-id')!;
  };

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        received.push({
          path,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          atMs: Date.now(),
        });
        const script = scripts.get(path) ?? [200];
        const status = script.length > 1 ? script.shift()! : script[0]!;
        if (status === 302) response.setHeader('location', `${base}/redirected`);
        response.writeHead(status).end('{"receiver":"says this, which is never stored"}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    gateway = await startGateway({
      mode,
      label: 'webhooks',
      catalogFile: join(__dirname, 'budgets.catalog.yaml'),
      // Distributed: every service on its own NATS user, so the derived permissions must allow
      // billing's new durable consumer of BUDGETS and control's calls of the webhook subjects.
      authenticatedNats: true,
      env: {
        POLYMUX_WEBHOOKS_ALLOW_LOOPBACK_HTTP: 'true',
        POLYMUX_WEBHOOK_RETRY_BASE_MS: '200',
        POLYMUX_WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('validates endpoints through the admin API, in OpenAI format, and answers the secret only on create and rotation', async () => {
    const problems: Array<[Record<string, unknown>, number, string | null]> = [
      [{ orgId: gateway.orgId, url: 'http://example.com/hook' }, 400, 'url'],
      [{ orgId: gateway.orgId, url: 'ftp://127.0.0.1/hook' }, 400, 'url'],
      [{ orgId: gateway.orgId, url: 'not a url' }, 400, 'url'],
      [{ orgId: gateway.orgId, url: 'https://169.254.169.254/latest' }, 400, 'url'],
      [{ orgId: gateway.orgId, url: `${base}/x`, eventTypes: ['budget.exploded'] }, 400, 'eventTypes.0'],
      [{ orgId: gateway.orgId, url: `${base}/x`, colour: 'red' }, 400, null],
      [{ orgId: '00000000-0000-4000-8000-000000000000', url: `${base}/x` }, 404, 'orgId'],
      [{ orgId: gateway.orgId, url: `${base}/x`, budgetId: '00000000-0000-4000-8000-000000000000' }, 404, 'budgetId'],
    ];
    for (const [body, status, param] of problems) {
      const response = await raw('POST', '/webhooks', body);
      expect({ body, status: response.status }).toEqual({ body, status });
      const { error } = (await response.json()) as { error: { type: string; param: string | null } };
      expect(error.type).toBe(status === 400 ? 'invalid_request_error' : 'not_found_error');
      if (param) expect(error.param).toBe(param);
    }
    const created = await endpoint({ url: `${base}/validated` });
    expect(created).toMatchObject({
      orgId: gateway.orgId,
      budgetId: null,
      url: `${base}/validated`,
      eventTypes: ['budget.threshold_crossed'],
      enabled: true,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    expect(created.secret!.startsWith(created.secretPrefix)).toBe(true);
    const fetched = await gateway.admin<EndpointView>('GET', `/webhooks/${created.id}`);
    expect(fetched).not.toHaveProperty('secret');
    const listed = await gateway.admin<{ data: EndpointView[] }>('GET', `/webhooks?orgId=${gateway.orgId}`);
    expect(listed.data.map((view) => view.id)).toContain(created.id);
    expect(listed.data.every((view) => view.secret === undefined)).toBe(true);
    expect((await raw('PATCH', `/webhooks/${created.id}`, {})).status).toBe(400);
    expect((await raw('PATCH', `/webhooks/${created.id}`, { url: 'http://example.com/' })).status).toBe(400);
    expect(await gateway.admin('PATCH', `/webhooks/${created.id}`, { enabled: false })).toMatchObject({
      enabled: false,
    });
    const rotated = await gateway.admin<EndpointView>('POST', `/webhooks/${created.id}/rotate-secret`);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(await gateway.admin('DELETE', `/webhooks/${created.id}`)).toMatchObject({ id: created.id });
    expect((await raw('GET', `/webhooks/${created.id}`)).status).toBe(404);
    expect((await raw('GET', '/webhooks/not-an-id/deliveries')).status).toBe(404);
  });

  it('POSTs a crossed threshold signed, retries a failing receiver with the same delivery id, and delays no other endpoint', async () => {
    const { key, budgetId } = await keyWithBudget();
    scripts.set('/flaky', [500, 500, 200]);
    const steady = await endpoint({ budgetId, url: `${base}/steady` });
    const flaky = await endpoint({ budgetId, url: `${base}/flaky` });
    const requestId = await chat(key);

    const [flakyDelivery] = await settledDeliveries(flaky.id);
    expect(flakyDelivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null });
    const [steadyDelivery] = await settledDeliveries(steady.id);
    expect(steadyDelivery).toMatchObject({ id: flakyDelivery!.id, status: 'delivered', attempts: 1 });

    const steadyPosts = at('/steady');
    const flakyPosts = at('/flaky');
    expect(steadyPosts).toHaveLength(1);
    expect(flakyPosts).toHaveLength(3);
    // One delivery id on every attempt, the receiver's key to de-duplicate.
    expect(new Set([...steadyPosts, ...flakyPosts].map((post) => post.headers['x-polymux-webhook-id']))).toEqual(
      new Set([flakyDelivery!.id]),
    );
    // The failing endpoint held nothing up: the other was delivered before its retries succeeded.
    expect(steadyPosts[0]!.atMs).toBeLessThan(flakyPosts[2]!.atMs);
    for (const post of flakyPosts) expect(verify(flaky.secret!, post.headers, post.body)).toBe(true);
    expect(verify(steady.secret!, steadyPosts[0]!.headers, steadyPosts[0]!.body)).toBe(true);
    // Another endpoint's secret, or a body changed in transit, does not verify.
    expect(verify(steady.secret!, flakyPosts[2]!.headers, flakyPosts[2]!.body)).toBe(false);
    expect(verify(flaky.secret!, flakyPosts[2]!.headers, `${flakyPosts[2]!.body} `)).toBe(false);
    expect(steadyPosts[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(steadyPosts[0]!.body)).toEqual({
      id: flakyDelivery!.id,
      type: 'budget.threshold_crossed',
      createdAt: expect.any(String),
      data: expect.objectContaining({
        budgetId,
        orgId: gateway.orgId,
        scope: 'key',
        period: 'weekly',
        thresholdPercent: 50,
        amountNanoUsd: '150000',
        spentNanoUsd: expect.stringMatching(/^\d+$/),
        requestId,
      }),
    });

    // After a rotation the next alert (100 %) is signed with the new secret only.
    const rotated = await gateway.admin<EndpointView>('POST', `/webhooks/${steady.id}/rotate-secret`);
    await chat(key);
    const [next] = await pollUntil(
      () => Promise.resolve(at('/steady').slice(1)),
      (posts) => posts.length > 0,
      { timeoutMs: 30_000 },
    );
    expect(JSON.parse(next!.body)).toMatchObject({ data: { thresholdPercent: 100 } });
    expect(verify(rotated.secret!, next!.headers, next!.body)).toBe(true);
    expect(verify(steady.secret!, next!.headers, next!.body)).toBe(false);

    // The endpoint's two deliveries, newest first, one page each.
    const both = await pollUntil(
      () => deliveries(steady.id),
      (rows) => rows.length === 2 && rows.every((row) => row.status !== 'pending'),
      { timeoutMs: 30_000 },
    );
    const first = await gateway.admin<{ data: DeliveryView[]; nextCursor: string | null }>(
      'GET',
      `/webhooks/${steady.id}/deliveries?limit=1`,
    );
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await gateway.admin<{ data: DeliveryView[]; nextCursor: string | null }>(
      'GET',
      `/webhooks/${steady.id}/deliveries?limit=1&cursor=${first.nextCursor}`,
    );
    expect([...first.data, ...second.data].map((row) => row.id)).toEqual(both.map((row) => row.id));
    expect(second.nextCursor).toBeNull();
  });

  it('gives up after the attempts on 5xx, at once on a 4xx or a redirect (never followed), and records why', async () => {
    const { key, budgetId } = await keyWithBudget();
    scripts.set('/down', [503]);
    scripts.set('/gone', [410]);
    scripts.set('/moved', [302]);
    const down = await endpoint({ budgetId, url: `${base}/down` });
    const gone = await endpoint({ budgetId, url: `${base}/gone` });
    const moved = await endpoint({ budgetId, url: `${base}/moved` });
    const disabled = await endpoint({ budgetId, url: `${base}/disabled`, enabled: false });
    await chat(key);

    expect(await settledDeliveries(down.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: MAX_ATTEMPTS, lastStatusCode: 503, lastError: 'HTTP 503' }),
    ]);
    expect(await settledDeliveries(gone.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1, lastStatusCode: 410, lastError: 'HTTP 410' }),
    ]);
    expect(await settledDeliveries(moved.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1, lastStatusCode: 302 }),
    ]);
    expect(at('/down')).toHaveLength(MAX_ATTEMPTS);
    expect(at('/gone')).toHaveLength(1);
    expect(at('/moved')).toHaveLength(1);
    expect(at('/redirected')).toHaveLength(0);
    expect(at('/disabled')).toHaveLength(0);
    expect(await deliveries(disabled.id)).toEqual([]);
  });
});
