import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { Stack } from '@polymux/testing';
import { deleteNatsNamespace, pollUntil, startSpanCollector, startStack } from '@polymux/testing';
import { Redis } from 'ioredis';
import { connect } from 'nats';
import OpenAI from 'openai';
import { Client } from 'pg';

/**
 * Zero data retention on every path: a prompt marker travels through successes, upstream errors
 * that quote it, fallbacks past 401/403/404 and dropped retention fields, and afterwards appears in
 * no exported span (attributes, events, status), JetStream message, Redis key or value, Postgres
 * row, PGlite file or debug-level log line.
 */
jest.setTimeout(180_000);

const BOOTSTRAP_KEY = 'pmx-zdr-bootstrap-key-0123456789abcdef';
const MARKER = `zdr-secret-${process.pid}-${Date.now()}`;
const MODES = ['distributed', 'embedded'] as const;
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseUrl = process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e';

const quoting = (what: string) => [
  { role: 'system' as const, content: `Never reveal ${MARKER}.` },
  { role: 'user' as const, content: `${what} ${MARKER}` },
];

/** Every file under `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

/** Files under `dir` whose bytes contain the marker (PGlite pages and WAL are binary). */
const filesHoldingMarker = (dir: string): string[] =>
  filesUnder(dir).filter((path) => readFileSync(path).includes(Buffer.from(MARKER)));

/** Every message of the JetStream streams of a namespace, as text. */
const jetStreamTexts = async (prefix: string): Promise<{ streams: string[]; texts: string[] }> => {
  const nats = await connect({ servers: natsUrl });
  try {
    const manager = await nats.jetstreamManager();
    const streams = (await manager.streams.list().next()).filter((stream) =>
      stream.config.subjects.every((subject) => subject.startsWith(`${prefix}.`)),
    );
    const texts: string[] = [];
    for (const stream of streams) {
      for (let seq = stream.state.first_seq; seq <= stream.state.last_seq && stream.state.messages > 0; seq += 1) {
        const message = await manager.streams.getMessage(stream.config.name, { seq }).catch(() => null);
        if (message) texts.push(`${message.subject} ${JSON.stringify(message.header ?? {})} ${message.string()}`);
      }
    }
    return { streams: streams.map((stream) => stream.config.name), texts };
  } finally {
    await nats.close();
  }
};

/** Every key under `prefix` with its value, whatever the type, as text. */
const redisTexts = async (prefix: string): Promise<string[]> => {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    const texts: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'zset'
                ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                : type === 'set'
                  ? await redis.smembers(key)
                  : type === 'list'
                    ? await redis.lrange(key, 0, -1)
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : type;
        texts.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
    return texts;
  } finally {
    redis.disconnect();
  }
};

/** Every row of every Polymux table in the database, as JSON text. */
const postgresTexts = async (): Promise<string[]> => {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
       where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    const texts: string[] = [];
    for (const { schema, name } of tables) {
      const { rows } = await client.query<{ row: string }>(
        `select row_to_json(t)::text as row from "${schema}"."${name}" t`,
      );
      texts.push(...rows.map((row) => `${schema}.${name} ${row.row}`));
    }
    return texts;
  } finally {
    await client.end();
  }
};

describe.each(MODES)('zero retention on every path (%s mode)', (mode) => {
  let stack: Stack;
  let collector: Awaited<ReturnType<typeof startSpanCollector>>;
  let client: OpenAI;
  let retaining: OpenAI;
  let projectId: string;
  const namespace = `zdr${mode}${process.pid}${Date.now()}`;
  /** Request ids of every call made, to wait for their usage and audit facts. */
  const requestIds: string[] = [];

  const admin = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
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

  /** A raw call, so that the test sees status, headers and body exactly as sent. */
  const call = async (key: string, body: Record<string, unknown>) => {
    const response = await fetch(`${stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    requestIds.push(response.headers.get('x-request-id') ?? '');
    return { status: response.status, headers: response.headers, text };
  };
  let apiKey: string;
  let retainingKey: string;

  beforeAll(async () => {
    collector = await startSpanCollector();
    stack = await startStack({
      mode,
      bootstrapKey: BOOTSTRAP_KEY,
      env: {
        POLYMUX_CATALOG_FILE: join(__dirname, 'zero-retention.catalog.yaml'),
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        NATS_URL: natsUrl,
        NATS_SUBJECT_PREFIX: namespace,
        REDIS_KEY_PREFIX: `${namespace}:`,
        LOG_LEVEL: 'debug',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    const org = await admin<{ id: string }>('POST', '/orgs', { name: `zdr-${namespace}` });
    projectId = (await admin<{ id: string }>('POST', `/orgs/${org.id}/projects`, { name: 'private' })).id;
    apiKey = (await admin<{ key: string }>('POST', `/projects/${projectId}/keys`, { name: 'k' })).key;
    await admin('POST', `/projects/${projectId}/credits`, { amountUsd: '10.00' }, { 'idempotency-key': 'zdr-1' });
    const open = await admin<{ id: string; data_retention: boolean }>('POST', `/orgs/${org.id}/projects`, {
      name: 'retaining',
    });
    expect(open.data_retention).toBe(false);
    const updated = await admin<{ data_retention: boolean }>('PATCH', `/projects/${open.id}`, { dataRetention: true });
    expect(updated.data_retention).toBe(true);
    retainingKey = (await admin<{ key: string }>('POST', `/projects/${open.id}/keys`, { name: 'k' })).key;
    await admin('POST', `/projects/${open.id}/credits`, { amountUsd: '10.00' }, { 'idempotency-key': 'zdr-2' });
    client = new OpenAI({ apiKey, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
    retaining = new OpenAI({ apiKey: retainingKey, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.stop();
    await collector?.close();
    if (mode === 'distributed') await deleteNatsNamespace(natsUrl, namespace);
  });

  it.each([false, true])(
    'answers a provider 400 that quotes the prompt with a sanitised 400 (stream: %s)',
    async (stream) => {
      const answer = await call(apiKey, { model: 'echo-400', stream, messages: quoting('Refuse this.') });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({
        error: {
          message: 'the provider openai rejected the request (HTTP 400): invalid_request_error',
          type: 'invalid_request_error',
          param: null,
          code: 'upstream_bad_request',
        },
      });
    },
  );

  it.each([false, true])(
    'answers a provider 500 that quotes the prompt with a sanitised 502 (stream: %s)',
    async (stream) => {
      const answer = await call(apiKey, { model: 'echo-500', stream, messages: quoting('Crash on this.') });
      expect(answer.status).toBe(502);
      expect(answer.text).not.toContain(MARKER);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'upstream_error', type: 'api_error' } });
    },
  );

  it('relays a provider error event that quotes the prompt mid-stream as a sanitised error event', async () => {
    const answer = await call(apiKey, { model: 'echo-midstream', stream: true, messages: quoting('Fail midway.') });
    expect(answer.status).toBe(200);
    const events = answer.text
      .split('\n\n')
      .filter((event) => event.startsWith('data: '))
      .map((event) => event.slice('data: '.length));
    expect(events.length).toBeGreaterThan(1);
    expect(JSON.parse(events[events.length - 1])).toMatchObject({
      error: { code: 'upstream_error', message: 'the provider openai failed mid-stream: server_error' },
    });
    expect(answer.text).not.toContain(MARKER);
  });

  it('falls back past provider 401, 403 and 404 that quote the prompt, and charges only the answer', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'echo-fallback', messages: quoting('Fall back.') })
      .withResponse();
    requestIds.push(response.headers.get('x-request-id')!);
    expect(data.choices[0].message.content).toEqual(expect.any(String));
    const streamed = await client.chat.completions.create({
      model: 'echo-fallback',
      stream: true,
      messages: quoting('Fall back, streaming.'),
    });
    let text = '';
    for await (const chunk of streamed) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const requestId = response.headers.get('x-request-id')!;
    const audit = await pollUntil(
      () =>
        admin<{ data: Array<{ outcome: string; metadata: Record<string, unknown> }> }>(
          'GET',
          `/audit?requestId=${requestId}`,
        ),
      (result) => result.data.length > 0,
      { timeoutMs: 15_000 },
    );
    expect(audit.data).toEqual([expect.objectContaining({ outcome: 'success' })]);
  });

  it.each([false, true])(
    'drops store and metadata unless the project enables retention, naming them in x-polymux-dropped (stream: %s)',
    async (stream) => {
      const body = {
        model: 'gpt-4.1-mini',
        stream,
        store: true,
        metadata: { note: MARKER },
        functions: [{ name: 'legacy' }],
        reasoning_effort: 'low',
        messages: quoting('Keep nothing.'),
      };
      const zero = await call(apiKey, body);
      expect(zero.status).toBe(200);
      const names = (header: string | null) => header?.split(',').sort();
      expect(names(zero.headers.get('x-polymux-dropped'))).toEqual(['functions', 'metadata', 'store']);
      const kept = await call(retainingKey, body);
      expect(kept.status).toBe(200);
      expect(kept.headers.get('x-polymux-dropped')).toBe('functions');
      const clean = await call(apiKey, { model: 'gpt-4.1-mini', stream, messages: quoting('Nothing to drop.') });
      expect(clean.headers.get('x-polymux-dropped')).toBeNull();
      // The names are on ingress's span too, for whoever looks at the trace; the values are not.
      const exported = await pollUntil(
        () => Promise.resolve(collector.exports.filter((body) => body.includes('polymux.dropped_fields'))),
        (bodies) => bodies.some((body) => body.includes('"functions"') && body.includes('"store"')),
        { timeoutMs: 15_000 },
      );
      expect(exported.join('\n')).not.toContain(MARKER);
    },
  );

  it('lets the official SDK read the dropped fields of a retaining project too', async () => {
    const { response } = await retaining.chat.completions
      .create({ model: 'gpt-4.1-mini', store: true, messages: quoting('Store me.') })
      .withResponse();
    requestIds.push(response.headers.get('x-request-id')!);
    expect(response.headers.get('x-polymux-dropped')).toBeNull();
  });

  it('leaves the prompt in no span, stream, key, row, file or debug log line', async () => {
    const ids = requestIds.filter(Boolean);
    // Every call's audit fact is recorded: the event path ran to the end for failures and successes.
    await pollUntil(
      async () => {
        const found = await Promise.all(
          ids.map((id) => admin<{ data: unknown[] }>('GET', `/audit?requestId=${id}`).then((r) => r.data.length)),
        );
        return found.every((count) => count > 0);
      },
      (all) => all,
      { timeoutMs: 20_000 },
    );
    // The executor's failed upstream spans (status and exception events included) have been exported.
    const failedUpstream = await pollUntil(
      () => collector.exports.filter((body) => body.includes('upstream_bad_request') && body.includes('echo-400')),
      (bodies) => bodies.length > 0,
      { timeoutMs: 20_000 },
    );
    expect(failedUpstream.length).toBeGreaterThan(0);
    expect(collector.exports.join('\n')).not.toContain(MARKER);

    if (mode === 'distributed') {
      const { streams, texts } = await jetStreamTexts(namespace);
      expect(streams.length).toBeGreaterThanOrEqual(2);
      expect(texts.length).toBeGreaterThan(0);
      expect(texts.filter((text) => text.includes(MARKER))).toEqual([]);
      const redis = await redisTexts(`${namespace}:`);
      expect(redis.length).toBeGreaterThan(0);
      expect(redis.filter((text) => text.includes(MARKER))).toEqual([]);
      const rows = await postgresTexts();
      expect(rows.some((row) => row.includes(projectId))).toBe(true);
      expect(rows.filter((row) => row.includes(MARKER))).toEqual([]);
    }

    // Stopping flushes every log file and, in the embedded mode, PGlite's pages and WAL.
    await stack.stop();
    const logs = filesUnder(stack.logDir).filter((path) => path.endsWith('.log'));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.map((path) => readFileSync(path, 'utf8')).join('').length).toBeGreaterThan(0);
    expect(filesHoldingMarker(stack.logDir)).toEqual([]);
  });
});
