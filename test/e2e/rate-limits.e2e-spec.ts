import { join } from 'node:path';

import Anthropic from '@anthropic-ai/sdk';
import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';
import { countingFetch } from './support/counting-fetch';

jest.setTimeout(180_000);

/*
 * Rate limits end to end: set through the admin API (control → Postgres), carried to ingress with
 * the key record, enforced before the plan by the Redis script (distributed mode, two ingress
 * replicas) or the memory store (embedded), answered as OpenAI and Anthropic answer a 429. Limits
 * count in fixed 60 s windows: a test that needs several calls in one window starts in a fresh one.
 */

const MESSAGES = [{ role: 'user' as const, content: 'Say hello.' }];
const FAILED_AUTH_LIMIT = 5;

interface KeyView {
  id: string;
  key: string;
  rpm: number | null;
  tpm: number | null;
  maxConcurrent: number | null;
}

/** A header of an SDK error or response, whichever shape the SDK gives its headers. */
const headerOf = (headers: unknown, name: string): string | null | undefined =>
  headers instanceof Headers ? headers.get(name) : (headers as Record<string, string> | undefined)?.[name];

/** Waits for the next minute when less than `needMs` is left of this one (the windows are the clock's minutes). */
const freshWindow = async (needMs = 25_000) => {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
};

describe.each(MODES)('rate limits (%s mode)', (mode) => {
  let gateway: Gateway;
  const replicas = mode === 'distributed' ? 2 : 1;

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'ratelimits',
      catalogFile: join(__dirname, 'rate-limits.catalog.yaml'),
      ingressReplicas: replicas,
      env: { POLYMUX_FAILED_AUTH_LIMIT: String(FAILED_AUTH_LIMIT) },
    });
  });
  afterAll(() => gateway?.stop());

  const newKey = (limits: Partial<Record<'rpm' | 'tpm' | 'maxConcurrent', number>> = {}, projectId?: string) =>
    gateway.admin<KeyView>('POST', `/projects/${projectId ?? gateway.projectId}/keys`, { name: 'limited', ...limits });
  const chat = (key: string, body: Record<string, unknown> = {}, url = gateway.stack.ingressUrl) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fast-model', messages: MESSAGES, max_tokens: 10, ...body }),
    });
  const openAi = (key: string, options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
    new OpenAI({ apiKey: key, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0, ...options });
  const reserved = async () =>
    (await gateway.admin<{ reservedNanoUsd: string }>('GET', `/projects/${gateway.projectId}/balance`)).reservedNanoUsd;

  it('refuses a key’s 4th call in a minute at rpm 3 with OpenAI’s 429 and headers, reserving nothing', async () => {
    const key = await newKey({ rpm: 3 });
    expect(key).toMatchObject({ rpm: 3, tpm: null, maxConcurrent: null });
    await freshWindow();
    const openai = openAi(key.key);
    for (let call = 1; call <= 3; call++) {
      const { response } = await openai.chat.completions
        .create({ model: 'fast-model', messages: MESSAGES, max_tokens: 10 })
        .withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('3');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(3 - call));
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?m?s$/);
    }
    const refused = await openai.chat.completions
      .create({ model: 'fast-model', messages: MESSAGES, max_tokens: 10 })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    expect((refused as Error).message).toMatch(/requests per minute on key .*: limit 3/);
    const { headers } = refused as InstanceType<typeof OpenAI.APIError>;
    const retryAfter = Number(headerOf(headers, 'retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(headerOf(headers, 'x-ratelimit-limit-requests')).toBe('3');
    expect(headerOf(headers, 'x-ratelimit-remaining-requests')).toBe('0');
    expect(headerOf(headers, 'x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?m?s$/);
    // The admitted calls' holds go as they settle; a hold of the refused call would stay (nothing releases it).
    expect(await pollUntil(reserved, (held) => held === '0', { timeoutMs: 15_000 })).toBe('0');

    // A raised limit reaches ingress on the broadcast (every replica refetches its keys).
    const patched = await gateway.admin<KeyView>('PATCH', `/keys/${key.id}`, { rpm: 10 });
    expect(patched).toMatchObject({ id: key.id, rpm: 10 });
    const again = await pollUntil(
      () => chat(key.key),
      (response) => response.status === 200,
      { timeoutMs: 10_000 },
    );
    expect(again.headers.get('x-ratelimit-limit-requests')).toBe('10');
  });

  it('answers a refusal in Anthropic’s format with its rate_limit_error', async () => {
    const key = await newKey({ rpm: 1 });
    await freshWindow();
    const anthropic = new Anthropic({ apiKey: key.key, baseURL: gateway.stack.ingressUrl, maxRetries: 0 });
    const { response } = await anthropic.messages
      .create({ model: 'fast-model', max_tokens: 10, messages: MESSAGES })
      .withResponse();
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const refused = await anthropic.messages
      .create({ model: 'fast-model', max_tokens: 10, messages: MESSAGES })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    expect((refused as { error: unknown }).error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.stringMatching(/requests per minute/) },
    });
    const { headers } = refused as InstanceType<typeof Anthropic.APIError>;
    expect(Number(headerOf(headers, 'retry-after'))).toBeGreaterThanOrEqual(1);
    expect(headerOf(headers, 'x-ratelimit-limit-requests')).toBe('1');
  });

  it('shares a project’s limit between its keys, and lifts it when deleted', async () => {
    const project = await gateway.admin<{ id: string }>('POST', `/orgs/${gateway.orgId}/projects`, { name: 'shared' });
    await gateway.admin(
      'POST',
      `/projects/${project.id}/credits`,
      { amountUsd: '1.00' },
      { 'idempotency-key': project.id },
    );
    const set = await gateway.admin<{ scope: string; rpm: number }>('PUT', `/rate-limits/project/${project.id}`, {
      rpm: 2,
    });
    expect(set).toMatchObject({ scope: 'project', scopeId: project.id, rpm: 2 });
    expect(await gateway.admin('GET', `/rate-limits/project/${project.id}`)).toMatchObject({ rpm: 2 });
    const [a, b] = [await newKey({}, project.id), await newKey({}, project.id)];
    await freshWindow();
    expect((await chat(a.key)).status).toBe(200);
    expect((await chat(b.key)).status).toBe(200);
    const refused = await chat(a.key);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      error: { code: 'rate_limit_exceeded', message: expect.stringContaining(`project ${project.id}`) },
    });

    await gateway.admin('DELETE', `/rate-limits/project/${project.id}`);
    // Both changes are audited, by the scope they changed.
    const audited = await pollUntil(
      async () =>
        (await gateway.admin<{ data: Array<{ action: string; target: string }> }>('GET', '/audit?limit=1000')).data
          .filter((record) => record.target === `rate_limit:project:${project.id}`)
          .map((record) => record.action)
          .sort(),
      (actions) => actions.length === 2,
      { timeoutMs: 10_000 },
    );
    expect(audited).toEqual(['rate_limit.delete', 'rate_limit.set']);
    const lifted = await pollUntil(
      () => chat(b.key),
      (response) => response.status === 200,
      { timeoutMs: 10_000 },
    );
    expect(lifted.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('answers bad limits with a clear error in OpenAI’s format', async () => {
    const raw = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
        method,
        headers: { authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { error: { message: string } } };
    };
    expect(await raw('PUT', `/rate-limits/project/${gateway.projectId}`, {})).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/at least one of rpm, tpm and maxConcurrent/) } },
    });
    expect((await raw('PUT', `/rate-limits/project/${gateway.projectId}`, { rpm: 0 })).status).toBe(400);
    expect((await raw('PUT', `/rate-limits/project/${gateway.projectId}`, { rpm: 1.5 })).status).toBe(400);
    expect((await raw('PUT', `/rate-limits/galaxy/${gateway.projectId}`, { rpm: 1 })).status).toBe(404);
    expect((await raw('PUT', '/rate-limits/project/00000000-0000-4000-8000-000000000000', { rpm: 1 })).status).toBe(
      404,
    );
    const key = await newKey();
    expect((await raw('PATCH', `/keys/${key.id}`, { rpm: -1 })).status).toBe(400);
    await gateway.admin('DELETE', `/keys/${key.id}`);
    expect((await raw('PATCH', `/keys/${key.id}`, { rpm: 5 })).status).toBe(404);
  });

  it('counts a call’s token bound against the tpm at admission and its actual tokens once it ends', async () => {
    const key = await newKey({ tpm: 1_000 });
    await freshWindow();
    const first = await chat(key.key, { max_tokens: 500 });
    expect(first.status).toBe(200);
    const { usage } = (await first.json()) as { usage: { total_tokens: number } };
    // What the first call's bound left: the prompt's bound and its 500 tokens of max_tokens.
    const leftByBound = Number(first.headers.get('x-ratelimit-remaining-tokens'));
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(leftByBound).toBeLessThan(500);
    const promptBound = 500 - leftByBound;

    // Corrected to its ~20 actual tokens: a bound of 700 more fits, which the first bound left no room for.
    const second = await chat(key.key, { max_tokens: 700 });
    expect(second.status).toBe(200);
    expect(Number(second.headers.get('x-ratelimit-remaining-tokens'))).toBe(
      1_000 - usage.total_tokens - (promptBound + 700),
    );
    await second.json();

    const refused = await chat(key.key, { max_tokens: 990 });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({
      error: { code: 'rate_limit_exceeded', message: expect.stringMatching(/tokens per minute on key/) },
    });
    expect(refused.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
  });

  it('holds a concurrency slot for a slow stream, which the SDK retries against, and frees it at its end', async () => {
    const key = await newKey({ maxConcurrent: 1 });
    const stream = await openAi(key.key).chat.completions.create({
      model: 'slow-model',
      messages: MESSAGES,
      stream: true,
    });
    const chunks = stream[Symbol.asyncIterator]();
    expect((await chunks.next()).done).toBe(false);

    // The SDK's default: two retries, each after the 1 s retry-after, all while the stream holds the slot.
    const counting = countingFetch();
    const refused = await openAi(key.key, { maxRetries: 2, fetch: counting.fetch })
      .chat.completions.create({ model: 'fast-model', messages: MESSAGES, max_tokens: 10 })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect((refused as Error).message).toMatch(/concurrent requests on key .*: limit 1/);
    expect(headerOf((refused as InstanceType<typeof OpenAI.APIError>).headers, 'retry-after')).toBe('1');
    expect(counting.counter.requests).toBe(3);

    let rest = 0;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) rest += 1;
    expect(rest).toBeGreaterThan(0);
    // The slot is freed with the stream's settlement, before its last event.
    expect((await chat(key.key)).status).toBe(200);
  });

  it('shares one limit across every ingress replica', async () => {
    const { ingressUrls } = gateway.stack;
    expect(ingressUrls).toHaveLength(replicas);
    const key = await newKey({ rpm: 4 });
    await freshWindow();
    const statuses: number[] = [];
    for (let call = 0; call < 6; call++) {
      const response = await chat(key.key, {}, ingressUrls[call % ingressUrls.length]);
      statuses.push(response.status);
      await response.text();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('throttles a source address after repeated failed key checks, before any key lookup', async () => {
    const address = mode === 'distributed' ? '203.0.113.7' : '203.0.113.8';
    const { ingressUrls } = gateway.stack;
    const from = (key: string, replica: number, forwardedFor = address) =>
      fetch(`${ingressUrls[replica % ingressUrls.length]}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'x-forwarded-for': forwardedFor,
        },
        body: JSON.stringify({ model: 'fast-model', messages: MESSAGES, max_tokens: 10 }),
      });
    // A key every replica already serves, and one none has seen yet.
    for (let replica = 0; replica < ingressUrls.length; replica++) {
      const warm = await from(gateway.apiKey, replica, '203.0.113.98');
      expect(warm.status).toBe(200);
      await warm.json();
    }
    const unseen = await gateway.admin<{ key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'unseen',
    });
    await freshWindow(15_000);
    for (let attempt = 0; attempt < FAILED_AUTH_LIMIT; attempt++) {
      expect((await from(`pmx-wrong-key-${attempt}`, attempt)).status).toBe(401);
    }
    const throttled = await from('pmx-wrong-key-again', 0);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await throttled.json()).toMatchObject({ error: { code: 'rate_limit_exceeded', type: 'rate_limit_error' } });
    // A key the replica does not hold yet is refused before it is looked up, even a good one; a key it
    // already serves is not (guesses from a shared address do not lock its valid callers out).
    expect((await from(unseen.key, 1)).status).toBe(429);
    const known = await from(gateway.apiKey, 1);
    expect(known.status).toBe(200);
    await known.json();
    // Another address is not.
    expect((await from(gateway.apiKey, 0, '203.0.113.99')).status).toBe(200);
  });
});
