import { join } from 'node:path';

import type { ChatRequest } from '@polymux/contracts';
import { countInputTokens, countOutputTokens } from '@polymux/contracts';
import type { Stack } from '@polymux/testing';
import { deleteNatsNamespace, pollUntil, startStack } from '@polymux/testing';
import { DiscardPolicy, connect } from 'nats';

import { reconcileAccounts } from './support/reconcile';

jest.setTimeout(120_000);

/*
 * Settlement under faults: a call is charged for what it delivered (both run modes), usage is
 * durable before the caller has its answer, and a process killed with `kill -9` loses no charge or
 * audit record (the distributed mode: every service its own process, real NATS JetStream, Postgres
 * and Redis).
 * Every model here costs $1 per million tokens both ways: 1,000 nano-USD a token.
 */

const BOOTSTRAP_KEY = 'pmx-e2e-settle-key-0123456789abcdef';
const NANO_PER_TOKEN = 1_000n;
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

interface LedgerEntry {
  requestId: string | null;
  kind: string;
  amountNanoUsd: string;
}
interface AuditRow {
  requestId: string;
  outcome: string;
  category: string;
  metadata: Record<string, unknown>;
}
interface SseResult {
  status: number;
  requestId: string;
  text: string;
  events: unknown[];
  done: boolean;
}

const canonical = (model: string, text: string, stream: boolean): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  stream,
});

/** What ingress must charge when the upstream reported no usage: a tokenizer's count of both sides. */
const counted = (model: string, prompt: string, stream: boolean, completion: string) =>
  (BigInt(countInputTokens(canonical(model, prompt, stream), model)) + BigInt(countOutputTokens([completion]))) *
  NANO_PER_TOKEN;

describe.each(['distributed', 'embedded'] as const)('settlement under faults (%s mode)', (mode) => {
  let stack: Stack;
  let ingressUrl: string;
  let projectId: string;
  let apiKey: string;
  const namespace = `e2esettle${mode}${process.pid}${Date.now()}`;
  const usageStream = `${namespace.toUpperCase()}_USAGE`;

  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${BOOTSTRAP_KEY}`,
        ...(body === undefined
          ? {}
          : { 'content-type': 'application/json', 'idempotency-key': `${path}${Date.now()}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const charges = (requestId: string) =>
    pollUntil(
      () => admin<{ data: LedgerEntry[] }>('GET', `/projects/${projectId}/ledger?requestId=${requestId}`),
      (result) => result.data.length > 0,
      { timeoutMs: 20_000 },
    ).then((result) => result.data);
  const audit = (requestId: string) =>
    pollUntil(
      () => admin<{ data: AuditRow[] }>('GET', `/audit?requestId=${requestId}`),
      (result) => result.data.length > 0,
      { timeoutMs: 20_000 },
    ).then((result) => result.data);
  const balance = () => admin<{ balanceUsd: string; reservedUsd: string }>('GET', `/projects/${projectId}/balance`);

  const complete = (model: string, content: string) =>
    fetch(`${ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    });

  /** Streams a call, calling `onEvent` after each SSE event (it may await, e.g. to kill a process). */
  const stream = async (
    model: string,
    content: string,
    onEvent: (event: unknown, result: SseResult) => Promise<void> | void = () => undefined,
  ): Promise<SseResult> => {
    const response = await fetch(`${ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content }] }),
    });
    const result: SseResult = {
      status: response.status,
      requestId: response.headers.get('x-request-id') ?? '',
      text: '',
      events: [],
      done: false,
    };
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(bytes, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const data = buffer.slice(0, end).replace(/^data: /, '');
        buffer = buffer.slice(end + 2);
        if (data === '[DONE]') {
          result.done = true;
          continue;
        }
        const event = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> };
        result.events.push(event);
        result.text += event.choices?.[0]?.delta?.content ?? '';
        await onEvent(event, result);
      }
    }
    return result;
  };

  /** JetStream refuses every new usage event (the stream is full and discards new), or accepts them again. */
  const refuseUsage = async (refuse: boolean) => {
    const nats = await connect({ servers: natsUrl });
    try {
      const manager = await nats.jetstreamManager();
      const info = await manager.streams.info(usageStream);
      await manager.streams.update(usageStream, {
        max_msgs: refuse ? Math.max(1, info.state.messages) : -1,
        discard: refuse ? DiscardPolicy.New : DiscardPolicy.Old,
      });
    } finally {
      await nats.close();
    }
  };

  const stores = {
    DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    NATS_URL: natsUrl,
    REDIS_KEY_PREFIX: `${namespace}:`,
  };

  beforeAll(async () => {
    stack = await startStack({
      mode,
      bootstrapKey: BOOTSTRAP_KEY,
      env: {
        POLYMUX_CATALOG_FILE: join(__dirname, 'settlement.catalog.yaml'),
        ...stores,
        NATS_SUBJECT_PREFIX: namespace,
        // A killed executor is noticed by ingress after this plus a 2 s margin.
        POLYMUX_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '2000',
      },
    });
    ingressUrl = stack.ingressUrl;
    console.log(`settle stack logs: ${stack.logDir}`);
    const org = await admin<{ id: string }>('POST', '/orgs', { name: `settle-${namespace}` });
    projectId = (await admin<{ id: string }>('POST', `/orgs/${org.id}/projects`, { name: 'app' })).id;
    apiKey = (await admin<{ key: string }>('POST', `/projects/${projectId}/keys`, { name: 'k' })).key;
    await admin('POST', `/projects/${projectId}/credits`, { amountUsd: '10.00' });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    if (mode === 'distributed') await deleteNatsNamespace(natsUrl, namespace);
  });

  it('counts an answer whose upstream omits usage with a tokenizer, never as zero', async () => {
    const response = await complete('quiet-model', 'no usage from upstream');
    const body = (await response.json()) as {
      choices: Array<{ message: { content: string } }>;
      usage: { completion_tokens: number };
    };
    const content = body.choices[0].message.content;
    expect(countOutputTokens([content])).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBe(countOutputTokens([content]));
    const expected = counted('quiet-model', 'no usage from upstream', false, content);
    const [entry] = await charges(response.headers.get('x-request-id')!);
    expect(entry.amountNanoUsd).toBe((-expected).toString());
  });

  it('charges a call above a long-context threshold wholly at the tier, one below it at the base prices', async () => {
    const charged = async (content: string) => {
      const response = await complete('tiered-model', content);
      const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      const [entry] = await charges(response.headers.get('x-request-id')!);
      return { usage: body.usage, amount: -BigInt(entry.amountNanoUsd) };
    };
    const short = await charged('short');
    expect(short.usage.prompt_tokens).toBeLessThanOrEqual(40);
    expect(short.amount).toBe(BigInt(short.usage.prompt_tokens + short.usage.completion_tokens) * NANO_PER_TOKEN);
    const long = await charged('a long prompt '.repeat(30));
    expect(long.usage.prompt_tokens).toBeGreaterThan(40);
    expect(long.amount).toBe(
      BigInt(long.usage.prompt_tokens) * 3n * NANO_PER_TOKEN +
        BigInt(long.usage.completion_tokens) * 5n * NANO_PER_TOKEN,
    );
  });

  it('charges a stream the provider cuts mid-way for the content relayed, as partial', async () => {
    const result = await stream('cut-model', 'cut me off');
    expect(result.done).toBe(false);
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.events.at(-1)).toMatchObject({ error: { type: expect.any(String) } });
    const expected = counted('cut-model', 'cut me off', true, result.text);
    const [entry] = await charges(result.requestId);
    expect(entry.amountNanoUsd).toBe((-expected).toString());
    expect(await audit(result.requestId)).toEqual([
      expect.objectContaining({ outcome: 'partial', metadata: expect.objectContaining({ outcome: 'partial' }) }),
    ]);
  });

  // Killing a process or JetStream needs every service in its own process: the distributed mode only.
  if (mode === 'distributed') {
    it('charges a non-streaming answer exactly once and audits it although ingress is killed -9 right after', async () => {
      const response = await complete('gpt-4.1-mini', 'hello before the crash');
      const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      ingressUrl = (await stack.restart('ingress', 'SIGKILL')) as string;
      const requestId = response.headers.get('x-request-id')!;
      const expected = BigInt(body.usage.prompt_tokens + body.usage.completion_tokens) * NANO_PER_TOKEN;
      expect(await charges(requestId)).toEqual([
        expect.objectContaining({ kind: 'charge', amountNanoUsd: (-expected).toString() }),
      ]);
      expect(await audit(requestId)).toEqual([expect.objectContaining({ outcome: 'success', category: 'call' })]);
    });

    it('charges a finished stream exactly once and audits it although ingress is killed -9 right after [DONE]', async () => {
      const result = await stream('quiet-model', 'stream before the crash');
      ingressUrl = (await stack.restart('ingress', 'SIGKILL')) as string;
      expect(result.done).toBe(true);
      const expected = counted('quiet-model', 'stream before the crash', true, result.text);
      expect(await charges(result.requestId)).toEqual([
        expect.objectContaining({ kind: 'charge', amountNanoUsd: (-expected).toString() }),
      ]);
      expect(await audit(result.requestId)).toEqual([expect.objectContaining({ outcome: 'success' })]);
    });

    it('charges the tokens already relayed when the executor is killed -9 mid-stream', async () => {
      let killed = false;
      const result = await stream('slow-model', 'kill the executor', async (_event, sofar) => {
        if (killed || sofar.text.split(' ').length < 5) return;
        killed = true;
        stack.processes.get('executor')?.kill('SIGKILL');
      });
      expect(killed).toBe(true);
      expect(result.done).toBe(false);
      const expected = counted('slow-model', 'kill the executor', true, result.text);
      const [entry] = await charges(result.requestId);
      expect(entry.amountNanoUsd).toBe((-expected).toString());
      expect(-BigInt(entry.amountNanoUsd)).toBeLessThan(100n * NANO_PER_TOKEN);
      await stack.restart('executor');
    });

    it('answers 503 and releases the hold when JetStream cannot record a non-streaming call’s usage', async () => {
      const before = await balance();
      await refuseUsage(true);
      let response: Response;
      try {
        response = await complete('gpt-4.1-mini', 'JetStream is refusing');
      } finally {
        await refuseUsage(false);
      }
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'service_unavailable' }) });
      const requestId = response.headers.get('x-request-id')!;
      await pollUntil(balance, (now) => now.reservedUsd === '0');
      expect((await balance()).balanceUsd).toBe(before.balanceUsd);
      expect(await audit(requestId)).toEqual([expect.objectContaining({ outcome: 'failure' })]);
    });

    it('holds a stream’s [DONE] and its hold until JetStream records the usage, then charges it once', async () => {
      await refuseUsage(true);
      let reservedWhileRefused = '';
      let restored = false;
      try {
        const result = await stream('gpt-4.1-mini', 'stream while JetStream refuses', async (event) => {
          const finish = (event as { choices?: Array<{ finish_reason?: string | null }> }).choices?.[0]?.finish_reason;
          if (!finish || restored) return;
          // Every content chunk and the finish chunk are out; the usage is not recorded, so no [DONE] yet.
          reservedWhileRefused = (await balance()).reservedUsd;
          restored = true;
          await refuseUsage(false);
        });
        expect(result.done).toBe(true);
        expect(reservedWhileRefused).not.toBe('0');
        expect(await charges(result.requestId)).toHaveLength(1);
        await pollUntil(balance, (now) => now.reservedUsd === '0');
      } finally {
        if (!restored) await refuseUsage(false);
      }
    });

    it('drains a usage publish still retrying when ingress gets SIGTERM: the stream ends with [DONE], charged once', async () => {
      await refuseUsage(true);
      let restored = false;
      try {
        const result = await stream('gpt-4.1-mini', 'stop gracefully', async (event) => {
          const finish = (event as { choices?: Array<{ finish_reason?: string | null }> }).choices?.[0]?.finish_reason;
          if (!finish || restored) return;
          // The usage is being retried now; a graceful stop must wait for it rather than drop it.
          stack.processes.get('ingress')?.kill('SIGTERM');
          restored = true;
          await refuseUsage(false);
        });
        expect(result.done).toBe(true);
        expect(await charges(result.requestId)).toHaveLength(1);
        expect(await audit(result.requestId)).toEqual([expect.objectContaining({ outcome: 'success' })]);
      } finally {
        if (!restored) await refuseUsage(false);
        ingressUrl = (await stack.restart('ingress')) as string;
      }
    });

    // Last: the usage of this call is never recorded, so its hold stays (until billing's TTL).
    it('ends a stream whose usage JetStream never records with service_unavailable instead of [DONE], keeping the hold', async () => {
      await refuseUsage(true);
      try {
        const result = await stream('gpt-4.1-mini', 'JetStream never comes back');
        expect(result.text.length).toBeGreaterThan(0);
        expect(result.done).toBe(false);
        expect(result.events.at(-1)).toEqual({ error: expect.objectContaining({ code: 'service_unavailable' }) });
        expect((await balance()).reservedUsd).not.toBe('0');
      } finally {
        await refuseUsage(false);
      }
    });

    it('reconciles after every fault above: balanced, each call charged once, Redis equal to the ledger', async () => {
      const { code, output } = await reconcileAccounts(stores, [`project:${projectId}`]);
      expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('reconcile') });
    });
  }
});
