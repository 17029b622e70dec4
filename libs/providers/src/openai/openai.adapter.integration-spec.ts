import type { ChatChunk, ChatRequest } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import type { ProviderSim } from '@polymux/provider-sim';
import { promptTokens, simBaseUrl, simDeployment, startProviderSim } from '@polymux/provider-sim';
import { collect, failureOf, pollUntil } from '@polymux/testing';

import type { ProviderCall } from '../provider-adapter';
import { OpenAiAdapter } from './openai.adapter';

const request: ChatRequest = {
  model: 'fast',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Tell me about gateways.' }] },
  ],
  stream: false,
};
const expectedInputTokens = promptTokens([
  { role: 'system', content: 'Be terse.' },
  { role: 'user', content: 'Tell me about gateways.' },
]);

describe('OpenAiAdapter against the provider simulator', () => {
  let sim: ProviderSim;
  let adapter: OpenAiAdapter;

  const call = (scenario?: string, overrides: Partial<ProviderCall> = {}): ProviderCall => ({
    deployment: simDeployment(),
    baseUrl: simBaseUrl(sim.url, scenario),
    request,
    apiKey: 'sk-sim',
    signal: new AbortController().signal,
    ...overrides,
  });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    adapter = new OpenAiAdapter({ connectTimeoutMs: 1_000, firstByteTimeoutMs: 300, totalTimeoutMs: 800 });
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it('completes a call with the exact usage the upstream reported', async () => {
    const response = await adapter.complete(call('tokens=5'));
    expect(response).toMatchObject({
      model: 'gpt-4.1-mini',
      choices: [{ index: 0, content: 'polymux routes every call through', finishReason: 'stop' }],
      usage: { inputTokens: expectedInputTokens, outputTokens: 5 },
    });
  });

  it('streams chunks whose last one carries usage', async () => {
    const chunks = await collect(adapter.stream(call('tokens=4', { request: { ...request, stream: true } })));
    const content = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.content ?? '')).join('');
    expect(content).toBe('polymux routes every call');
    expect(chunks.at(-2)?.choices[0]?.finishReason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { inputTokens: expectedInputTokens, outputTokens: 4 } });
  });

  it('streams a tool call', async () => {
    const chunks = await collect(
      adapter.stream(call(undefined, { request: { ...request, stream: true, tools: [{ name: 'lookup' }] } })),
    );
    const toolCalls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.toolCalls ?? []));
    expect(toolCalls).toEqual([
      { index: 0, id: expect.stringMatching(/^call_/), name: 'lookup', arguments: '' },
      { index: 0, arguments: '{}' },
    ]);
    expect(chunks.some((chunk) => chunk.choices[0]?.finishReason === 'tool_calls')).toBe(true);
  });

  describe('a reasoning model', () => {
    const reasoning = { ...simDeployment(), model: 'o4-mini', upstreamModel: 'o4-mini' };
    const limited: ChatRequest = { ...request, maxOutputTokens: 100, reasoning: { effort: 'low' } };

    it('gets max_completion_tokens when the catalog says so, on a host that is not api.openai.com', async () => {
      const response = await adapter.complete(
        call('tokens=3', { deployment: { ...reasoning, maxTokensField: 'max_completion_tokens' }, request: limited }),
      );
      expect(response.usage).toMatchObject({ outputTokens: 16 + 3, reasoningTokens: 16 });
    });

    it('is refused by the provider when sent max_tokens, as real reasoning models do', async () => {
      const failure = await failureOf(() =>
        adapter.complete(call('tokens=3', { deployment: reasoning, request: limited })),
      );
      expect(failure).toMatchObject({ code: ErrorCode.UpstreamBadRequest, upstreamStatus: 400, param: 'max_tokens' });
    });
  });

  it('keeps the cached and reasoning tokens of the trailing usage-only chunk', async () => {
    const chunks = await collect(
      adapter.stream(call('tokens=2,cached=6,reasoning=5', { request: { ...request, stream: true } })),
    );
    expect(chunks.at(-1)).toEqual(
      expect.objectContaining({
        choices: [],
        usage: { inputTokens: expectedInputTokens, outputTokens: 7, cachedInputTokens: 6, reasoningTokens: 5 },
      }),
    );
  });

  it('streams parallel tool calls with their index, arguments in fragments', async () => {
    const parameters = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    const chunks = await collect(
      adapter.stream(
        call(undefined, {
          request: {
            ...request,
            stream: true,
            tools: [
              { name: 'a', parameters },
              { name: 'b', parameters },
            ],
          },
        }),
      ),
    );
    const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.toolCalls ?? []));
    const assembled = ['', ''];
    for (const delta of deltas) assembled[delta.index] += delta.arguments ?? '';
    expect(deltas.filter((delta) => delta.name).map((delta) => [delta.index, delta.name])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(assembled.map((json) => JSON.parse(json) as unknown)).toEqual([
      { q: expect.any(String) },
      { q: expect.any(String) },
    ]);
  });

  it.each([
    ['status=500', { code: ErrorCode.UpstreamError, upstreamStatus: 500 }],
    ['status=503', { code: ErrorCode.UpstreamOverloaded, upstreamStatus: 503 }],
    ['status=429,retry-after=2', { code: ErrorCode.UpstreamRateLimited, upstreamStatus: 429, retryAfterSeconds: 2 }],
    ['status=401', { code: ErrorCode.UpstreamError, upstreamStatus: 401 }],
    ['status=403', { code: ErrorCode.UpstreamError, upstreamStatus: 403 }],
    ['status=404', { code: ErrorCode.UpstreamError, upstreamStatus: 404 }],
    ['status=400,echo', { code: ErrorCode.UpstreamBadRequest, upstreamStatus: 400 }],
    ['hang', { code: ErrorCode.UpstreamTimeout }],
  ])('maps %s', async (scenario, expected) => {
    expect(await failureOf(() => adapter.complete(call(scenario)))).toMatchObject(expected);
    expect(
      await failureOf(() => collect(adapter.stream(call(scenario, { request: { ...request, stream: true } })))),
    ).toMatchObject(expected);
  });

  it('lets a non-streaming answer take longer than the first-byte limit, not a streamed one', async () => {
    const slow = 'latency=500';
    expect((await adapter.complete(call(slow))).usage?.outputTokens).toBe(16);
    expect(
      await failureOf(() => collect(adapter.stream(call(slow, { request: { ...request, stream: true } })))),
    ).toMatchObject({
      code: ErrorCode.UpstreamTimeout,
      message: 'openai timed out waiting for response headers',
    });
  });

  it("keeps a deployment's own time limits in place of the executor's", async () => {
    const slow = 'latency=500';
    // A longer first-byte limit lets the slow stream start; a shorter total limit stops a non-streaming call.
    const patient = { request: { ...request, stream: true }, timeouts: { firstByteTimeoutMs: 2_000 } };
    expect((await collect(adapter.stream(call(slow, patient)))).at(-1)?.usage?.outputTokens).toBe(16);
    expect(await failureOf(() => adapter.complete(call(slow, { timeouts: { totalTimeoutMs: 100 } })))).toMatchObject({
      code: ErrorCode.UpstreamTimeout,
    });
    // A connect limit of its own gets a pool of its own; the call still answers.
    expect(
      (await adapter.complete(call(undefined, { timeouts: { connectTimeoutMs: 2_500 } }))).usage?.outputTokens,
    ).toBe(16);
  });

  it('carries the type and param of a 400, never the provider text that quotes the prompt', async () => {
    const failure = await failureOf(() => adapter.complete(call(undefined, { request: { ...request, messages: [] } })));
    expect(failure).toMatchObject({
      code: ErrorCode.UpstreamBadRequest,
      upstreamStatus: 400,
      param: 'messages',
      message: 'the provider openai rejected the request (HTTP 400): invalid_request_error',
    });
    const marker = 'zdr-marker-adapter-echo';
    const quoting = {
      ...request,
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: marker }] }],
    };
    const raw = await fetch(`${sim.url}/scenario/status=400,echo/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: marker }] }),
    });
    expect(await raw.text()).toContain(marker);
    for (const scenario of ['status=400,echo', 'status=401,echo', 'status=500,echo']) {
      const echoed = await failureOf(() => adapter.complete(call(scenario, { request: quoting })));
      expect(JSON.stringify(echoed)).not.toContain(marker);
    }
  });

  it('reports a mid-stream disconnect as UpstreamError after the chunks that arrived', async () => {
    const received: ChatChunk[] = [];
    const failure = await failureOf(async () => {
      for await (const chunk of adapter.stream(call('disconnect-after=3', { request: { ...request, stream: true } })))
        received.push(chunk);
    });
    expect(failure.code).toBe(ErrorCode.UpstreamError);
    expect(received).toHaveLength(3);
  });

  it('reports a provider error event mid-stream by its type, never by its text that quotes the prompt', async () => {
    const marker = 'zdr-marker-mid-stream';
    const quoting = {
      ...request,
      stream: true,
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: marker }] }],
    };
    const received: ChatChunk[] = [];
    const failure = await failureOf(async () => {
      for await (const chunk of adapter.stream(call('fail-after=3,echo', { request: quoting }))) received.push(chunk);
    });
    expect(received).toHaveLength(3);
    expect(failure).toEqual({
      code: ErrorCode.UpstreamError,
      message: 'the provider openai failed mid-stream: server_error',
    });
  });

  it('reports a refused connection as UpstreamError', async () => {
    const refused = call(undefined, { baseUrl: 'http://127.0.0.1:1/v1' });
    expect((await failureOf(() => adapter.complete(refused))).code).toBe(ErrorCode.UpstreamError);
  });

  it('stops a stream at the total deadline with UpstreamTimeout', async () => {
    const slow = call('tokens=1000,rate=20', { request: { ...request, stream: true } });
    expect(await failureOf(() => collect(adapter.stream(slow)))).toMatchObject({
      code: ErrorCode.UpstreamTimeout,
      message: 'openai did not finish within 800 ms',
    });
  });

  it('aborts the upstream request when the call signal aborts', async () => {
    const abortsBefore = sim.stats.clientAborts;
    const controller = new AbortController();
    const reason = new Error('caller left');
    const chunks = adapter.stream(
      call('tokens=1000,rate=50', { request: { ...request, stream: true }, signal: controller.signal }),
    );
    const consumed = (async () => {
      for await (const chunk of chunks) if (chunk.choices[0]?.content) controller.abort(reason);
    })();
    await expect(consumed).rejects.toBe(reason);
    await pollUntil(
      () => sim.stats.clientAborts,
      (aborts) => aborts === abortsBefore + 1,
    );
  });

  it('aborts the upstream request when the consumer stops reading', async () => {
    const abortsBefore = sim.stats.clientAborts;
    for await (const chunk of adapter.stream(call('tokens=1000,rate=50', { request: { ...request, stream: true } }))) {
      if (chunk.choices[0]?.content) break;
    }
    await pollUntil(
      () => sim.stats.clientAborts,
      (aborts) => aborts === abortsBefore + 1,
    );
  });
});
