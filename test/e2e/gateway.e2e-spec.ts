import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ChatRequest } from '@polymux/contracts';
import { countInputTokens, countOutputTokens } from '@polymux/contracts';
import { generatedText } from '@polymux/provider-sim';
import { findNatsServer } from '@polymux/nats-auth';
import type { CollectedSpan, Stack } from '@polymux/testing';
import { deleteNatsNamespace, pollUntil, startSpanCollector, startStack } from '@polymux/testing';
import OpenAI from 'openai';

jest.setTimeout(120_000);

const BOOTSTRAP_KEY = 'pmx-e2e-bootstrap-key-0123456789abcdef';
/** A marker that must never appear in any exported span (zero data retention). */
const SECRET_PROMPT = `zdr-marker-${Date.now()}`;
const MODES = ['distributed', 'embedded'] as const;

interface LedgerEntry {
  requestId: string | null;
  kind: string;
  amountNanoUsd: string;
}

const admin = async <T>(
  stack: Stack,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const response = await fetch(`${stack.controlUrl}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${BOOTSTRAP_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
};

describe.each(MODES)('gateway (%s mode)', (mode) => {
  let stack: Stack;
  let collector: Awaited<ReturnType<typeof startSpanCollector>>;
  let client: OpenAI;
  let projectId: string;
  let apiKey: string;
  let namespace: string;
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

  const ledger = (requestId: string) =>
    admin<{ data: LedgerEntry[] }>(stack, 'GET', `/projects/${projectId}/ledger?requestId=${requestId}`).then(
      (r) => r.data,
    );
  const charges = (requestId: string) =>
    pollUntil(
      () => ledger(requestId),
      (entries) => entries.length > 0,
      { timeoutMs: 15_000 },
    );

  beforeAll(async () => {
    collector = await startSpanCollector();
    const unique = `e2e${mode}${process.pid}${Date.now()}`;
    namespace = unique;
    stack = await startStack({
      mode,
      // Every service on its own NATS credentials: proves the derived permissions cover the whole call path.
      authenticatedNats: true,
      bootstrapKey: BOOTSTRAP_KEY,
      env: {
        POLYMUX_CATALOG_FILE: join(__dirname, 'catalog.yaml'),
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        NATS_URL: natsUrl,
        NATS_SUBJECT_PREFIX: unique,
        REDIS_KEY_PREFIX: `${unique}:`,
        POLYMUX_MAX_BODY_BYTES: '200000',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    const org = await admin<{ id: string }>(stack, 'POST', '/orgs', { name: `e2e-${unique}` });
    const project = await admin<{ id: string }>(stack, 'POST', `/orgs/${org.id}/projects`, { name: 'app' });
    projectId = project.id;
    apiKey = (await admin<{ key: string }>(stack, 'POST', `/projects/${projectId}/keys`, { name: 'app key' })).key;
    const topUp = { amountUsd: '10.00' };
    const first = await admin<{ applied: boolean }>(stack, 'POST', `/projects/${projectId}/credits`, topUp, {
      'idempotency-key': 'e2e-1',
    });
    const again = await admin<{ applied: boolean; balanceUsd: string }>(
      stack,
      'POST',
      `/projects/${projectId}/credits`,
      topUp,
      {
        'idempotency-key': 'e2e-1',
      },
    );
    expect([first.applied, again.applied, again.balanceUsd]).toEqual([true, false, '10']);
    client = new OpenAI({ apiKey, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.stop();
    await collector?.close();
    // The stack's own nats-server is gone with it; a shared one keeps the namespace's streams otherwise.
    if (mode === 'distributed' && !stack?.nats?.authenticated) await deleteNatsNamespace(natsUrl, namespace);
  });

  it('answers a non-streaming completion and charges exactly its tokens once', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: `Say hello. ${SECRET_PROMPT}` }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.content).toEqual(expect.any(String));
    expect(response.headers.get('x-polymux-model')).toBe('gpt-4.1-mini');
    expect(response.headers.get('x-polymux-task')).toBe('chat');
    const requestId = response.headers.get('x-request-id')!;
    const usage = data.usage!;
    const expected = BigInt(usage.prompt_tokens) * 400n + BigInt(usage.completion_tokens) * 1600n;
    const entries = await charges(requestId);
    expect(entries).toEqual([expect.objectContaining({ kind: 'charge', amountNanoUsd: (-expected).toString() })]);
  });

  it('streams chunks in OpenAI format with usage and charges the stream once', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'fast',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Tell me about NATS.' }],
      })
      .withResponse();
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    const expected = BigInt(usage!.prompt_tokens) * 400n + BigInt(usage!.completion_tokens) * 1600n;
    const entries = await charges(response.headers.get('x-request-id')!);
    expect(entries.map((entry) => entry.amountNanoUsd)).toEqual([(-expected).toString()]);
  });

  it('falls back to the second deployment when the first answers 500 and charges only the success', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'flaky-model', messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    expect(response.headers.get('x-polymux-model')).toBe('flaky-model');
    const usage = data.usage!;
    const expected = BigInt(usage.prompt_tokens) * 1000n + BigInt(usage.completion_tokens) * 2000n;
    const requestId = response.headers.get('x-request-id')!;
    expect((await charges(requestId)).map((entry) => entry.amountNanoUsd)).toEqual([(-expected).toString()]);
    const audit = await pollUntil(
      () =>
        admin<{ data: Array<{ requestId: string; outcome: string; category: string }> }>(
          stack,
          'GET',
          `/audit?requestId=${requestId}`,
        ),
      (result) => result.data.length > 0,
    );
    expect(audit.data).toEqual([expect.objectContaining({ requestId, outcome: 'success', category: 'call' })]);
  });

  it('charges a stream the client cancels for the tokens produced until then, and no more', async () => {
    const controller = new AbortController();
    const { data: stream, response } = await client.chat.completions
      .create(
        { model: 'slow-model', stream: true, messages: [{ role: 'user', content: 'count slowly' }] },
        { signal: controller.signal },
      )
      .withResponse();
    let received = 0;
    let text = '';
    try {
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) {
          received += 1;
          text += content;
        }
        if (received === 3) controller.abort();
      }
    } catch {
      // The SDK may end the iteration or throw once aborted; either way the client has left.
    }
    expect(received).toBe(3);
    const [entry] = await charges(response.headers.get('x-request-id')!);
    const charged = -BigInt(entry.amountNanoUsd);
    // $1 per million tokens both ways is 1,000 nano-USD a token. The stream was cut before the
    // upstream's usage, so ingress counted both sides with the tokenizer.
    const prompt: ChatRequest = {
      model: 'slow-model',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'count slowly' }] }],
      stream: true,
    };
    const outputTokens = Number(charged / 1_000n) - countInputTokens(prompt, 'slow-model');
    expect(outputTokens).toBeGreaterThan(0);
    expect(outputTokens).toBeGreaterThanOrEqual(countOutputTokens([text]));
    // Exactly what was relayed: the simulator's first k tokens, k at least the 3 the client read and far from all 400.
    const relayedCounts = Array.from({ length: 40 }, (_, k) => countOutputTokens([generatedText(k)]));
    expect(relayedCounts.slice(3)).toContain(outputTokens);
  });

  it('refuses a call whose maximum cost the balance cannot cover, with a 402 and no charge', async () => {
    const org = await admin<{ id: string }>(stack, 'POST', '/orgs', { name: 'broke' });
    const project = await admin<{ id: string }>(stack, 'POST', `/orgs/${org.id}/projects`, { name: 'empty' });
    const { key } = await admin<{ key: string }>(stack, 'POST', `/projects/${project.id}/keys`, { name: 'k' });
    const broke = new OpenAI({ apiKey: key, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
    await expect(
      broke.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 402,
      code: 'insufficient_credits',
    });
    const balance = await admin<{ balanceUsd: string; reservedUsd: string }>(
      stack,
      'GET',
      `/projects/${project.id}/balance`,
    );
    expect(balance).toMatchObject({ balanceUsd: '0', reservedUsd: '0' });
  });

  it('rejects a bad key with a 401 in OpenAI format', async () => {
    const bad = new OpenAI({ apiKey: 'pmx-not-a-key', baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
    await expect(
      bad.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 401,
      type: 'authentication_error',
    });
  });

  it('answers malformed, mistyped, unknown-model and oversized requests with OpenAI errors', async () => {
    const post = (body: string) =>
      fetch(`${stack.ingressUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body,
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { error: { type: string; param: string | null; code: string } },
      }));
    const malformed = await post('{"model": "gpt-4.1-mini", "messages": [');
    expect(malformed).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error' } } });
    const mistyped = await post(JSON.stringify({ model: 'gpt-4.1-mini', messages: 'hello' }));
    expect(mistyped).toMatchObject({ status: 400, body: { error: { param: 'messages' } } });
    const unknown = await post(JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }));
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'model_not_found' } } });
    const oversized = await post(
      JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x'.repeat(300_000) }] }),
    );
    expect(oversized).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
  });

  it('reaches a Claude model through the native Anthropic adapter, streamed tool calls included', async () => {
    const completion = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: expect.any(String) } });
    expect(completion.id).toMatch(/^msg_/);
    expect(completion.usage?.completion_tokens).toBe(16);
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get.weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const stream = client.chat.completions.stream({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: 'required',
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get.weather');
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).toEqual({ city: expect.any(String) });
  });

  it('lists the catalog models, each with its aliases', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual(expect.arrayContaining(['gpt-4.1-mini', 'flaky-model']));
    // An alias is a name of its model, not a model of its own.
    expect(models.map((model) => model.id)).not.toContain('fast');
    expect(models.find((model) => model.id === 'gpt-4.1-mini')).toMatchObject({ aliases: ['fast'] });
  });

  it('stops accepting a key as soon as it is revoked', async () => {
    const created = await admin<{ id: string; key: string }>(stack, 'POST', `/projects/${projectId}/keys`, {
      name: 'short-lived',
    });
    const shortLived = new OpenAI({ apiKey: created.key, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
    await shortLived.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] });
    await admin(stack, 'DELETE', `/keys/${created.id}`);
    await pollUntil(
      () =>
        shortLived.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }).then(
          () => 200,
          (error: { status: number }) => error.status,
        ),
      (status) => status === 401,
    );
  });

  it('traces one request across every service, in its trace or linked to it, without content', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: `trace me ${SECRET_PROMPT}` }] })
      .withResponse();
    const requestId = response.headers.get('x-request-id')!;
    const servicesOf = (spans: CollectedSpan[]) => {
      const root = spans.find((span) => span.attributes['polymux.request_id'] === requestId);
      // Durable events are consumed in batches: a batch's span is linked to the trace of each event in it.
      const trace = spans.filter(
        (span) => span.traceId === root?.traceId || span.links.some((link) => link.traceId === root?.traceId),
      );
      return {
        trace,
        services: new Set(trace.map((span) => span.attributes['polymux.service']).filter(Boolean)),
        // The executor's GenAI span names the provider's server (no separate HTTP client span).
        upstream: trace.some(
          (span) =>
            span.attributes['gen_ai.operation.name'] === 'chat' &&
            String(span.attributes['server.port']) === new URL(stack.providerSimUrl).port,
        ),
      };
    };
    const { trace, services, upstream } = await pollUntil(
      () => servicesOf(collector.spans),
      (found) =>
        ['classifier', 'router', 'billing', 'executor', 'audit'].every((name) => found.services.has(name)) &&
        found.upstream,
      { timeoutMs: 20_000 },
    );
    expect([...services].sort()).toEqual(
      expect.arrayContaining(['audit', 'billing', 'classifier', 'executor', 'router']),
    );
    expect(upstream).toBe(true);
    expect(trace.some((span) => span.attributes['polymux.request_id'] === requestId)).toBe(true);
    expect(JSON.stringify(collector.spans)).not.toContain(SECRET_PROMPT);
  });

  // Last, after every call above: the permissions derived from the subject map covered all of them.
  if (mode === 'distributed') {
    it('ran every call above with each service on its own NATS credentials and no permission violation', () => {
      expect(stack.nats?.authenticated).toBe(findNatsServer() !== undefined);
      if (!stack.nats?.logFile) return;
      const log = readFileSync(stack.nats.logFile, 'utf8');
      expect(log).toContain('Server is ready');
      expect(log.split('\n').filter((line) => /violation/i.test(line))).toEqual([]);
    });
  }
});
