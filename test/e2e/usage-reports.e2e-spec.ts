import { join } from 'node:path';

import Anthropic from '@anthropic-ai/sdk';
import { pollUntil, startSpanCollector } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * Cost attribution end to end: calls through the official SDKs with tags (`x-polymux-tags`, the
 * body's `metadata`), session and parent request ids; billing writes each charged call's usage row
 * with its charge; the admin API's grouped report, call listing and CSV reflect them exactly, and
 * sum to the ledger's charges. Tags never reach a span.
 */

interface GroupView {
  bucket: string | null;
  group: Record<string, string | null>;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  chargedNanoUsd: string;
  listCostNanoUsd: string;
  discountNanoUsd: string;
  chargedUsd: string;
}
interface CallView {
  requestId: string;
  model: string;
  api: string;
  stream: boolean;
  tags: Record<string, string>;
  sessionId: string | null;
  parentRequestId: string | null;
  chargedNanoUsd: string;
}
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Values only these calls' tags carry: none of them may appear in any exported span. */
const MARK_TEAM = 'tagmark-search-7731';
const MARK_FEATURE = 'tagmark-summary-7731';
const messages = [{ role: 'user' as const, content: 'Say hello.' }];

describe.each(MODES)('usage rows and reports (%s mode)', (mode) => {
  let gateway: Gateway;
  let collector: Awaited<ReturnType<typeof startSpanCollector>>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const session = (n: number) => `sess-${mode}-${n}`;
  /** The three calls' request ids and their ledger charges (nano-USD). */
  const calls: Record<'chat' | 'stream' | 'messages', { id: string; charged: bigint }> = {} as never;

  const get = (path: string) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      headers: { authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef' },
    });
  const query = (params: Record<string, string>) => new URLSearchParams({ orgId: gateway.orgId, ...params }).toString();
  const report = (params: Record<string, string>) => gateway.admin<Page<GroupView>>('GET', `/usage?${query(params)}`);
  const listing = (params: Record<string, string>) =>
    gateway.admin<Page<CallView>>('GET', `/usage/calls?${query(params)}`);
  /** What the ledger charged a request: the negative of its entries on the project's account. */
  const chargedBy = async (requestId: string) =>
    -(await gateway.charges(requestId)).reduce((sum, entry) => sum + BigInt(entry.amountNanoUsd), 0n);
  const totalCalls = async () => (await report({})).data[0]?.calls ?? 0;

  beforeAll(async () => {
    collector = await startSpanCollector();
    gateway = await startGateway({
      mode,
      label: 'usage',
      // Every service on its own NATS credentials: control may call billing.usage.*, derived from the subjects map.
      authenticatedNats: mode === 'distributed',
      catalogFile: join(__dirname, 'usage-reports.catalog.yaml'),
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    if (mode === 'distributed') expect(gateway.stack.nats?.authenticated).toBe(true);
    openai = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: gateway.apiKey, baseURL: gateway.stack.ingressUrl, maxRetries: 0 });

    const chat = await openai.chat.completions
      .create(
        {
          model: 'small-model',
          messages,
          max_tokens: 15,
          metadata: { polymux_tags: `feature=${MARK_FEATURE}`, note: 'never recorded' },
        },
        { headers: { 'x-polymux-tags': `env=prod, team=${MARK_TEAM}`, 'x-polymux-session-id': session(1) } },
      )
      .withResponse();
    const chatId = chat.response.headers.get('x-request-id')!;
    const stream = await openai.chat.completions
      .create(
        { model: 'small-model', messages, max_tokens: 15, stream: true },
        {
          headers: {
            'x-polymux-tags': 'env=dev',
            'x-polymux-session-id': session(1),
            'x-polymux-parent-request-id': chatId,
          },
        },
      )
      .withResponse();
    for await (const chunk of stream.data) expect(chunk.object).toBe('chat.completion.chunk');
    const message = await anthropic.messages
      .create(
        { model: 'large-model', max_tokens: 15, messages },
        { headers: { 'x-polymux-tags': 'env=prod', 'x-polymux-session-id': session(2) } },
      )
      .withResponse();
    for (const [name, id] of [
      ['chat', chatId],
      ['stream', stream.response.headers.get('x-request-id')!],
      ['messages', message.response.headers.get('x-request-id')!],
    ] as const) {
      calls[name] = { id, charged: await chargedBy(id) };
      expect(calls[name].charged).toBeGreaterThan(0n);
    }
  });

  afterAll(async () => {
    await gateway?.stop();
    await collector?.close();
  });

  it('groups spend by tag and session, each group equal to its calls’ ledger charges', async () => {
    const { data, nextCursor } = await report({ groupBy: 'tag:env,session' });
    expect(
      data.map(({ group, calls: count, chargedNanoUsd, listCostNanoUsd, discountNanoUsd }) => ({
        group,
        count,
        chargedNanoUsd,
        listCostNanoUsd,
        discountNanoUsd,
      })),
    ).toEqual([
      { group: { 'tag:env': 'dev', session: session(1) }, count: 1, ...money(calls.stream.charged) },
      { group: { 'tag:env': 'prod', session: session(1) }, count: 1, ...money(calls.chat.charged) },
      { group: { 'tag:env': 'prod', session: session(2) }, count: 1, ...money(calls.messages.charged) },
    ]);
    expect(nextCursor).toBeNull();
    const byModel = await report({ groupBy: 'model,provider,api', bucket: 'day' });
    const today = new Date(new Date().toISOString().slice(0, 10)).toISOString();
    expect(
      byModel.data.map(({ bucket, group, calls: count, chargedNanoUsd }) => ({ bucket, group, count, chargedNanoUsd })),
    ).toEqual([
      {
        bucket: today,
        group: { model: 'large-model', provider: 'anthropic', api: 'messages' },
        count: 1,
        chargedNanoUsd: calls.messages.charged.toString(),
      },
      {
        bucket: today,
        group: { model: 'small-model', provider: 'openai', api: 'chat.completions' },
        count: 2,
        chargedNanoUsd: (calls.chat.charged + calls.stream.charged).toString(),
      },
    ]);
  });

  it('exports the report as CSV, a missing tag as an empty cell', async () => {
    const response = await get(`/usage?${query({ groupBy: 'tag:team', format: 'csv' })}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = (await response.text()).trimEnd().split('\n');
    const columns = header!.split(',');
    expect(columns.slice(0, 2)).toEqual(['tag:team', 'calls']);
    const cell = (row: string, name: string) => row.split(',')[columns.indexOf(name)];
    expect(rows.map((row) => [cell(row, 'tag:team'), cell(row, 'calls'), cell(row, 'charged_nano_usd')])).toEqual([
      ['', '2', (calls.stream.charged + calls.messages.charged).toString()],
      [MARK_TEAM, '1', calls.chat.charged.toString()],
    ]);
  });

  it('lists a session’s calls with their tags, parent request id and charge, as JSON and CSV', async () => {
    const { data } = await listing({ sessionId: session(1) });
    expect(data).toEqual([
      expect.objectContaining({
        requestId: calls.stream.id,
        stream: true,
        tags: { env: 'dev' },
        parentRequestId: calls.chat.id,
        chargedNanoUsd: calls.stream.charged.toString(),
      }),
      expect.objectContaining({
        requestId: calls.chat.id,
        stream: false,
        api: 'chat.completions',
        tags: { env: 'prod', team: MARK_TEAM, feature: MARK_FEATURE },
        parentRequestId: null,
        chargedNanoUsd: calls.chat.charged.toString(),
      }),
    ]);
    const tagged = await listing({ tags: 'env=prod' });
    expect(tagged.data.map((call) => call.requestId)).toEqual([calls.messages.id, calls.chat.id]);
    const response = await get(`/usage/calls?${query({ sessionId: session(1), format: 'csv' })}`);
    const [header, ...rows] = (await response.text()).trimEnd().split('\n');
    expect(header).toMatch(/^request_id,occurred_at,/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(`${calls.stream.id},`);
    expect(rows[0]).toContain(`,${calls.chat.id},env=dev,`);
    expect(rows[1]).toContain(`"env=prod,team=${MARK_TEAM},feature=${MARK_FEATURE}"`);
  });

  it('pages the report and the listing with cursors, every row once', async () => {
    const groups: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<GroupView> = await report({ groupBy: 'session', limit: '1', ...(cursor ? { cursor } : {}) });
      groups.push(...page.data.map((row) => String(row.group.session)));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(groups).toEqual([session(1), session(2)]);
    const first = await listing({ limit: '2' });
    const second = await listing({ limit: '2', cursor: first.nextCursor! });
    expect([...first.data, ...second.data].map((call) => call.requestId)).toEqual([
      calls.messages.id,
      calls.stream.id,
      calls.chat.id,
    ]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses bad tags and ids before the call, in the caller’s format, charging nothing', async () => {
    const before = await totalCalls();
    const refusedOpenAi = await openai.chat.completions
      .create({ model: 'small-model', messages }, { headers: { 'x-polymux-tags': 'team=a,team=b' } })
      .catch((caught: unknown) => caught);
    expect(refusedOpenAi).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refusedOpenAi).toMatchObject({ status: 400, param: 'x-polymux-tags', type: 'invalid_request_error' });
    expect((refusedOpenAi as Error).message).toContain('named twice');
    const badMetadata = await openai.chat.completions
      .create({ model: 'small-model', messages, metadata: { polymux_tags: 'feature==HYPERLINK("x")' } })
      .catch((caught: unknown) => caught);
    expect(badMetadata).toMatchObject({ status: 400, param: 'metadata.polymux_tags' });
    const refusedAnthropic = await anthropic.messages
      .create({ model: 'large-model', max_tokens: 15, messages }, { headers: { 'x-polymux-session-id': 'not an id' } })
      .catch((caught: unknown) => caught);
    expect(refusedAnthropic).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refusedAnthropic as { error: unknown }).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('x-polymux-session-id') },
    });
    expect(await totalCalls()).toBe(before);
  });

  it('validates every report parameter with a clear 400 in OpenAI format', async () => {
    const problems: Array<[Record<string, string>, number, string | null]> = [
      [{ groupBy: 'colour' }, 400, 'groupBy'],
      [{ groupBy: 'model,model' }, 400, 'groupBy'],
      [{ groupBy: 'tag:bad key' }, 400, 'groupBy'],
      [{ bucket: 'week' }, 400, 'bucket'],
      [{ timezone: 'Mars/Olympus_Mons' }, 400, 'timezone'],
      [{ from: 'yesterday' }, 400, 'from'],
      [{ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 400, 'from'],
      [{ tags: 'env' }, 400, 'tags'],
      [{ limit: '0' }, 400, 'limit'],
      [{ limit: '1001' }, 400, 'limit'],
      [{ api: 'fax' }, 400, 'api'],
      [{ format: 'xml' }, 400, 'format'],
      [{ cursor: 'bogus' }, 400, 'cursor'],
      [{ colour: 'red' }, 400, null],
      [{ orgId: '00000000-0000-4000-8000-000000000000' }, 404, 'orgId'],
    ];
    for (const [params, status, param] of problems) {
      for (const path of ['/usage', '/usage/calls']) {
        if (path === '/usage/calls' && ['groupBy', 'bucket', 'timezone'].includes(Object.keys(params)[0]!)) continue;
        const response = await get(`${path}?${query(params)}`);
        expect({ path, params, status: response.status }).toEqual({ path, params, status });
        const { error } = (await response.json()) as { error: { type: string; param: string | null; message: string } };
        expect(error.type).toBe(status === 400 ? 'invalid_request_error' : 'not_found_error');
        if (param) expect(error.param).toBe(param);
        expect(error.message.length).toBeGreaterThan(5);
      }
    }
    expect((await get('/usage')).status).toBe(400);
  });

  it('never puts a tag into a span, not even the reports’ tag filter', async () => {
    const filtered = await listing({ tags: `team=${MARK_TEAM}` });
    expect(filtered.data.map((call) => call.requestId)).toEqual([calls.chat.id]);
    const ids = Object.values(calls).map((call) => call.id);
    await pollUntil(
      () => Promise.resolve(collector.spans),
      (spans) =>
        ids.every((id) => spans.some((span) => span.attributes['polymux.request_id'] === id)) &&
        spans.some((span) => String(span.attributes['url.path'] ?? '').endsWith('/usage/calls')),
      { timeoutMs: 20_000 },
    );
    const exported = collector.exports.join('\n');
    expect(exported).toContain(calls.chat.id);
    expect(exported).not.toContain(MARK_TEAM);
    expect(exported).not.toContain(MARK_FEATURE);
  });
});

const money = (charged: bigint) => ({
  chargedNanoUsd: charged.toString(),
  listCostNanoUsd: charged.toString(),
  discountNanoUsd: '0',
});
