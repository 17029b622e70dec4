import { join } from 'node:path';

import Anthropic from '@anthropic-ai/sdk';
import type { CollectedSpan } from '@polymux/testing';
import { pollUntil, startSpanCollector } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * Agent sessions end to end: calls through the official SDKs (Chat Completions, streamed and not,
 * Messages, Responses) with `x-polymux-session-id` and `x-polymux-parent-request-id`; the admin API
 * answers the session's call chain with each call's charge (equal to the ledger's) and latency; each
 * call's audit record names its session and parent; each ingress span carries the session id and
 * links to its parent call's ingress span.
 */

interface ChainCall {
  requestId: string;
  parentRequestId: string | null;
  depth: number;
  children: string[];
  model: string;
  provider: string;
  api: string;
  status: string;
  stream: boolean;
  inputTokens: number;
  outputTokens: number;
  chargedNanoUsd: string;
  latencyMs: number;
  startedAt: string;
  endedAt: string;
}
interface SessionView {
  object: string;
  sessionId: string;
  orgId: string;
  roots: string[];
  calls: ChainCall[];
  totals: {
    calls: number;
    chargedNanoUsd: string;
    latencyMs: number;
    wallClockMs: number;
    startedAt: string;
    endedAt: string;
  };
  truncated: boolean;
}
interface ErrorBody {
  error: { type: string; param: string | null; message: string };
}

const messages = [{ role: 'user' as const, content: 'Say hello.' }];
const requestIdOf = (response: Response) => response.headers.get('x-request-id')!;

describe.each(MODES)('agent sessions (%s mode)', (mode) => {
  let gateway: Gateway;
  let collector: Awaited<ReturnType<typeof startSpanCollector>>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  // Any id characters, `/` and `@` among them: the admin path takes it URL-encoded.
  const session = `agent/${mode}@${process.pid}:${Date.now()}`;
  const other = `${session}-other`;
  /** The session's calls: a → b (streamed) → d (Responses), a → c (Messages), then e failing (unknown model) after d. */
  const ids = {} as Record<'a' | 'b' | 'c' | 'd' | 'e' | 'other' | 'plain', string>;
  const charged = {} as Record<'a' | 'b' | 'c' | 'd', bigint>;

  const labels = (parent?: string, sessionId = session) => ({
    headers: { 'x-polymux-session-id': sessionId, ...(parent ? { 'x-polymux-parent-request-id': parent } : {}) },
  });
  const get = (path: string) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      headers: { authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef' },
    });
  const chain = async (query = `orgId=${gateway.orgId}`, sessionId = session) => {
    const response = await get(`/sessions/${encodeURIComponent(sessionId)}?${query}`);
    return { status: response.status, body: (await response.json()) as SessionView & ErrorBody };
  };
  const chargedBy = async (requestId: string) =>
    -(await gateway.charges(requestId)).reduce((sum, entry) => sum + BigInt(entry.amountNanoUsd), 0n);
  /** The ingress span of a call: the HTTP server span that carries its request id. */
  const ingressSpan = (requestId: string): CollectedSpan | undefined =>
    collector.spans.find((span) => span.attributes['polymux.request_id'] === requestId);

  beforeAll(async () => {
    collector = await startSpanCollector();
    gateway = await startGateway({
      mode,
      label: 'sessions',
      authenticatedNats: mode === 'distributed',
      catalogFile: join(__dirname, 'usage-reports.catalog.yaml'),
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    openai = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: gateway.apiKey, baseURL: gateway.stack.ingressUrl, maxRetries: 0 });

    const a = await openai.chat.completions
      .create({ model: 'small-model', messages, max_tokens: 15 }, labels())
      .withResponse();
    ids.a = requestIdOf(a.response);
    const b = await openai.chat.completions
      .create({ model: 'small-model', messages, max_tokens: 15, stream: true }, labels(ids.a))
      .withResponse();
    for await (const chunk of b.data) expect(chunk.object).toBe('chat.completion.chunk');
    ids.b = requestIdOf(b.response);
    const c = await anthropic.messages
      .create({ model: 'large-model', max_tokens: 15, messages }, labels(ids.a))
      .withResponse();
    ids.c = requestIdOf(c.response);
    const d = await openai.responses
      .create({ model: 'small-model', input: 'Say hello.' }, labels(ids.b))
      .withResponse();
    ids.d = requestIdOf(d.response);
    const e = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.apiKey}`,
        'content-type': 'application/json',
        ...labels(ids.d).headers,
      },
      body: JSON.stringify({ model: 'no-such-model', messages }),
    });
    expect(e.status).toBe(404);
    ids.e = requestIdOf(e);
    const elsewhere = await openai.chat.completions
      .create({ model: 'small-model', messages }, labels(ids.a, other))
      .withResponse();
    ids.other = requestIdOf(elsewhere.response);
    const plain = await openai.chat.completions.create({ model: 'small-model', messages }).withResponse();
    ids.plain = requestIdOf(plain.response);
    for (const name of ['a', 'b', 'c', 'd'] as const) charged[name] = await chargedBy(ids[name]);
    await chargedBy(ids.other);
  });

  afterAll(async () => {
    await gateway?.stop();
    await collector?.close();
  });

  it('answers the session’s call chain depth first, each call with its charge and latency', async () => {
    const { status, body } = await chain();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      object: 'session',
      sessionId: session,
      orgId: gateway.orgId,
      roots: [ids.a],
      truncated: false,
    });
    expect(body.calls.map((call) => [call.requestId, call.parentRequestId, call.depth, call.children])).toEqual([
      [ids.a, null, 0, [ids.b, ids.c]],
      [ids.b, ids.a, 1, [ids.d]],
      [ids.d, ids.b, 2, []],
      [ids.c, ids.a, 1, []],
    ]);
    expect(body.calls.map((call) => [call.model, call.provider, call.api, call.stream, call.status])).toEqual([
      ['small-model', 'openai', 'chat.completions', false, 'success'],
      ['small-model', 'openai', 'chat.completions', true, 'success'],
      ['small-model', 'openai', 'responses', false, 'success'],
      ['large-model', 'anthropic', 'messages', false, 'success'],
    ]);
    for (const call of body.calls) {
      const name = (Object.keys(ids) as Array<keyof typeof ids>).find(
        (key) => ids[key] === call.requestId,
      ) as keyof typeof charged;
      expect(call.chargedNanoUsd).toBe(charged[name].toString());
      expect(call.outputTokens).toBe(10);
      expect(call.inputTokens).toBeGreaterThan(0);
      expect(call.latencyMs).toBeGreaterThan(0);
      expect(Date.parse(call.endedAt) - Date.parse(call.startedAt)).toBe(call.latencyMs);
    }
    // Made one after another: each call started after the one before it (in start order a, b, c, d) ended.
    const byStart = [ids.a, ids.b, ids.c, ids.d].map((id) => body.calls.find((call) => call.requestId === id)!);
    for (const [index, call] of byStart.slice(1).entries())
      expect(Date.parse(call.startedAt)).toBeGreaterThanOrEqual(Date.parse(byStart[index]!.endedAt) - 1);
    const total = Object.values(charged).reduce((sum, amount) => sum + amount, 0n);
    const latency = body.calls.reduce((sum, call) => sum + call.latencyMs, 0);
    expect(body.totals).toMatchObject({
      calls: 4,
      chargedNanoUsd: total.toString(),
      latencyMs: latency,
      startedAt: byStart[0]!.startedAt,
      endedAt: byStart[3]!.endedAt,
    });
    expect(body.totals.wallClockMs).toBe(Date.parse(byStart[3]!.endedAt) - Date.parse(byStart[0]!.startedAt));
    expect(body.totals.wallClockMs).toBeGreaterThanOrEqual(latency - 4);
  });

  it('finds the session without its org, lists the first calls only past a limit, totals still all', async () => {
    const { body } = await chain('');
    expect(body.calls.map((call) => call.requestId)).toEqual([ids.a, ids.b, ids.d, ids.c]);
    const limited = await chain(`orgId=${gateway.orgId}&limit=2`);
    expect(limited.body.calls.map((call) => call.requestId)).toEqual([ids.a, ids.b]);
    expect(limited.body).toMatchObject({ truncated: true, totals: { calls: 4 } });
    expect(
      (await chain('', other)).body.calls.map((call) => [call.requestId, call.parentRequestId, call.depth]),
    ).toEqual([[ids.other, ids.a, 0]]);
  });

  it('answers an unknown session 404 and bad parameters 400, in OpenAI’s error shape', async () => {
    const problems: Array<[string, string, number, string | null]> = [
      [`never-${session}`, '', 404, 'sessionId'],
      [session, 'orgId=00000000-0000-4000-8000-000000000000', 404, 'orgId'],
      ['s'.repeat(128), '', 404, 'sessionId'],
      ['s'.repeat(129), '', 400, 'sessionId'],
      ['s'.repeat(300), '', 400, null],
      ['not an id', '', 400, 'sessionId'],
      [session, 'limit=0', 400, 'limit'],
      [session, 'limit=1001', 400, 'limit'],
      [session, 'colour=red', 400, null],
    ];
    for (const [sessionId, query, status, param] of problems) {
      const answer = await chain(query, sessionId);
      expect({ sessionId, query, status: answer.status }).toEqual({ sessionId, query, status });
      expect(answer.body.error.type).toBe(status === 404 ? 'not_found_error' : 'invalid_request_error');
      if (param) expect(answer.body.error.param).toBe(param);
      expect(answer.body.error.message.length).toBeGreaterThan(5);
    }
  });

  it('refuses a bad parent request id before the call, in the caller’s format', async () => {
    const refused = await openai.chat.completions
      .create({ model: 'small-model', messages }, { headers: { 'x-polymux-parent-request-id': 'a,b' } })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused).toMatchObject({ status: 400, param: 'x-polymux-parent-request-id', type: 'invalid_request_error' });
  });

  it('names the session and parent in every call’s audit record, a failed call’s too', async () => {
    const expected: Array<[string, string | undefined, string]> = [
      [ids.a, undefined, 'success'],
      [ids.b, ids.a, 'success'],
      [ids.d, ids.b, 'success'],
      [ids.e, ids.d, 'failure'],
    ];
    for (const [requestId, parent, outcome] of expected) {
      const [record] = await pollUntil(
        () =>
          gateway.admin<{ data: Array<{ outcome: string; metadata: Record<string, unknown> }> }>(
            'GET',
            `/audit?requestId=${requestId}`,
          ),
        ({ data }) => data.length > 0,
        { timeoutMs: 15_000 },
      ).then(({ data }) => data);
      expect(record!.outcome).toBe(outcome);
      expect(record!.metadata.sessionId).toBe(session);
      expect(record!.metadata.parentRequestId).toBe(parent);
    }
  });

  it('gives each session call’s ingress span the session id and a link to its parent call’s ingress span', async () => {
    await pollUntil(
      () => Promise.resolve(Object.values(ids).map(ingressSpan)),
      (spans) => spans.every(Boolean),
      { timeoutMs: 20_000 },
    );
    const span = (requestId: string) => ingressSpan(requestId)!;
    const linkTo = (requestId: string) => [{ traceId: span(requestId).traceId, spanId: span(requestId).spanId }];
    expect(span(ids.a).links).toEqual([]);
    expect(span(ids.b).links).toEqual(linkTo(ids.a));
    expect(span(ids.c).links).toEqual(linkTo(ids.a));
    expect(span(ids.d).links).toEqual(linkTo(ids.b));
    // Its own trace each: a link, not a parent.
    expect(new Set([ids.a, ids.b, ids.c, ids.d].map((id) => span(id).traceId)).size).toBe(4);
    for (const id of [ids.a, ids.b, ids.c, ids.d, ids.e])
      expect(span(id).attributes['polymux.session_id']).toBe(session);
    expect(span(ids.d).attributes['polymux.parent_request_id']).toBe(ids.b);
    expect(span(ids.other).attributes['polymux.session_id']).toBe(other);
    expect(span(ids.other).links).toEqual(linkTo(ids.a));
    expect(span(ids.plain).attributes).not.toHaveProperty('polymux.session_id');
  });
});
