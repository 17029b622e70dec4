import type { ChatChunk, ChatRequest } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import type { ProviderSim } from '@polymux/provider-sim';
import { countPrompt, simBaseUrl, simClaudeDeployment, startProviderSim } from '@polymux/provider-sim';
import { pollUntil } from '@polymux/testing';

import type { ProviderCall } from '../provider-adapter';
import { collect, failureOf } from '../testing/adapter-spec';
import { AnthropicAdapter, messagesUrl } from './anthropic.adapter';

const request: ChatRequest = {
  model: 'smart',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Tell me about gateways.' }] },
  ],
  stream: false,
};
const streamed = { ...request, stream: true };
const expectedInputTokens = countPrompt({
  model: 'claude-sonnet-4-5',
  system: [{ type: 'text', text: 'Be terse.' }],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me about gateways.' }] }],
}).tokens;
const weather = {
  name: 'get.weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('messagesUrl', () => {
  it('posts under the versioned base URL, adding /v1 to a bare origin', () => {
    expect(messagesUrl('https://api.anthropic.com/v1')).toBe('https://api.anthropic.com/v1/messages');
    expect(messagesUrl('https://api.anthropic.com/')).toBe('https://api.anthropic.com/v1/messages');
  });
});

describe('AnthropicAdapter against the provider simulator', () => {
  let sim: ProviderSim;
  let adapter: AnthropicAdapter;

  const call = (scenario?: string, overrides: Partial<ProviderCall> = {}): ProviderCall => ({
    deployment: simClaudeDeployment(),
    baseUrl: simBaseUrl(sim.url, scenario),
    request,
    apiKey: 'sk-ant-sim',
    signal: new AbortController().signal,
    ...overrides,
  });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    adapter = new AnthropicAdapter({ connectTimeoutMs: 1_000, firstByteTimeoutMs: 300, totalTimeoutMs: 800 });
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it('completes a call with the exact usage, sending x-api-key', async () => {
    const response = await adapter.complete(call('tokens=5'));
    expect(response).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      model: 'claude-sonnet-4-5',
      choices: [{ index: 0, content: 'polymux routes every call through', finishReason: 'stop' }],
      usage: { inputTokens: expectedInputTokens, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0 },
    });
    expect(sim.stats.authorizations.has('x-api-key sk-ant-sim')).toBe(true);
  });

  it('sends the allowed betas of the deployment and the request as one anthropic-beta header, no others', async () => {
    const betaRequest = {
      ...request,
      extra: { anthropic_beta: 'interleaved-thinking-2025-05-14,files-api-2025-04-14' },
    };
    await adapter.complete(
      call(undefined, { request: betaRequest, headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } }),
    );
    expect(sim.stats.betas.has('prompt-caching-2024-07-31,interleaved-thinking-2025-05-14')).toBe(true);
    expect([...sim.stats.betas].some((betas) => betas.includes('files-api'))).toBe(false);
  });

  it('streams: the role and input usage first, the whole usage last', async () => {
    const chunks = await collect(adapter.stream(call('tokens=4', { request: streamed })));
    expect(chunks[0]).toMatchObject({
      choices: [{ role: 'assistant' }],
      usage: { inputTokens: expectedInputTokens, outputTokens: 1 },
    });
    const content = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.content ?? '')).join('');
    expect(content).toBe('polymux routes every call');
    expect(chunks.at(-1)).toMatchObject({
      choices: [{ finishReason: 'stop' }],
      usage: { inputTokens: expectedInputTokens, outputTokens: 4 },
    });
  });

  it('calls a tool whose name Anthropic rejects, answered under the caller name, in both modes', async () => {
    const tools = { ...request, tools: [weather], toolChoice: 'required' as const };
    const response = await adapter.complete(call(undefined, { request: tools }));
    const toolCall = response.choices[0]?.toolCalls?.[0];
    expect(response.choices[0]?.finishReason).toBe('tool_calls');
    expect(toolCall).toMatchObject({ id: expect.stringMatching(/^toolu_/), name: 'get.weather' });
    expect(JSON.parse(toolCall?.arguments ?? '')).toEqual({ city: expect.any(String) });

    const chunks = await collect(adapter.stream(call(undefined, { request: { ...tools, stream: true } })));
    expect(chunks[0]?.choices[0]).toEqual({ index: 0, role: 'assistant' });
    const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.toolCalls ?? []));
    expect(deltas[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^toolu_/), name: 'get.weather' });
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.map((delta) => delta.arguments ?? '').join('')).toBe(toolCall?.arguments);
    expect(chunks.at(-1)?.choices[0]?.finishReason).toBe('tool_calls');
  });

  it('runs a tool loop: the call, its result, then the answer', async () => {
    const first = await adapter.complete(call(undefined, { request: { ...request, tools: [weather] } }));
    const toolCall = first.choices[0]?.toolCalls?.[0];
    if (!toolCall) throw new Error('expected a tool call');
    const second = await adapter.complete(
      call(undefined, {
        request: {
          ...request,
          tools: [weather],
          messages: [
            ...request.messages,
            { role: 'assistant', content: [], toolCalls: [toolCall] },
            { role: 'tool', toolCallId: toolCall.id, content: [{ type: 'text', text: 'sunny' }] },
          ],
        },
      }),
    );
    expect(second.choices[0]).toMatchObject({ finishReason: 'stop', content: expect.any(String) });
  });

  it('thinks, and the signed thinking survives the next turn while an unsigned one is dropped', async () => {
    const thinking = { ...request, reasoning: { budgetTokens: 2_000 }, maxOutputTokens: 4_000 };
    const response = await adapter.complete(call(undefined, { request: thinking }));
    const [block] = response.choices[0]?.reasoning ?? [];
    expect(block).toMatchObject({ type: 'thinking', signature: expect.any(String) });
    const chunks = await collect(adapter.stream(call(undefined, { request: { ...thinking, stream: true } })));
    const signature = chunks.map((chunk) => chunk.choices[0]?.reasoning?.signature).find(Boolean);
    expect(signature).toBe(block?.type === 'thinking' ? block.signature : undefined);
    const next = await adapter.complete(
      call(undefined, {
        request: {
          ...thinking,
          messages: [
            ...request.messages,
            {
              role: 'assistant',
              content: [
                ...(block ? [block] : []),
                { type: 'thinking', text: 'another provider thought this' },
                { type: 'text', text: response.choices[0]?.content ?? '' },
              ],
            },
            { role: 'user', content: [{ type: 'text', text: 'And then?' }] },
          ],
        },
      }),
    );
    expect(next.choices[0]?.finishReason).toBe('stop');
  });

  it('answers a JSON schema response format as content through the emulating tool', async () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const json = { ...request, responseFormat: { type: 'json_schema' as const, name: 'answer', schema } };
    const response = await adapter.complete(call(undefined, { request: json }));
    expect(response.choices[0]).toMatchObject({ finishReason: 'stop' });
    expect(JSON.parse(response.choices[0]?.content ?? '')).toEqual({ n: expect.any(Number) });
    const chunks = await collect(adapter.stream(call(undefined, { request: { ...json, stream: true } })));
    expect(chunks.map((chunk) => chunk.choices[0]?.content ?? '').join('')).toBe(response.choices[0]?.content);
  });

  it('counts cache writes, then cache reads, in the input', async () => {
    const cached: ChatRequest = {
      ...request,
      messages: [
        {
          role: 'system',
          content: [{ type: 'text', text: 'A stable system prompt. '.repeat(30), cacheControl: { type: 'ephemeral' } }],
        },
        { role: 'user', content: [{ type: 'text', text: 'Q1' }] },
      ],
    };
    const first = await adapter.complete(call(undefined, { request: cached }));
    expect(first.usage?.cacheWriteTokens).toBeGreaterThan(0);
    const chunks = await collect(adapter.stream(call(undefined, { request: { ...cached, stream: true } })));
    const usage = chunks.at(-1)?.usage;
    expect(usage?.cachedInputTokens).toBe(first.usage?.cacheWriteTokens);
    expect(usage?.inputTokens).toBe(first.usage?.inputTokens);
  });

  it.each([
    ['status=500', { code: ErrorCode.UpstreamError, upstreamStatus: 500 }],
    ['status=529', { code: ErrorCode.UpstreamOverloaded, upstreamStatus: 529 }],
    ['status=429,retry-after=2', { code: ErrorCode.UpstreamRateLimited, upstreamStatus: 429, retryAfterSeconds: 2 }],
    ['status=401', { code: ErrorCode.UpstreamError, upstreamStatus: 401 }],
    ['status=400', { code: ErrorCode.UpstreamBadRequest, upstreamStatus: 400 }],
    ['hang', { code: ErrorCode.UpstreamTimeout }],
  ])('maps %s', async (scenario, expected) => {
    expect(await failureOf(() => adapter.complete(call(scenario)))).toMatchObject(expected);
    expect(await failureOf(() => collect(adapter.stream(call(scenario, { request: streamed }))))).toMatchObject(
      expected,
    );
  });

  it('reports the error event of a stream as overloaded after the chunks that arrived, without its text', async () => {
    const marker = 'zdr-marker-anthropic-mid-stream';
    const quoting = {
      ...streamed,
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: marker }] }],
    };
    const received: ChatChunk[] = [];
    const failure = await failureOf(async () => {
      for await (const chunk of adapter.stream(call('fail-after=5,echo', { request: quoting }))) received.push(chunk);
    });
    expect(failure).toEqual({
      code: ErrorCode.UpstreamOverloaded,
      message: 'the provider anthropic is overloaded mid-stream: overloaded_error',
    });
    expect(received.length).toBeGreaterThan(0);
    expect(JSON.stringify(failure)).not.toContain(marker);
  });

  it('reports a disconnect mid-stream as UpstreamError', async () => {
    const failure = await failureOf(() => collect(adapter.stream(call('disconnect-after=4', { request: streamed }))));
    expect(failure.code).toBe(ErrorCode.UpstreamError);
  });

  it('stops a stream at the total deadline with UpstreamTimeout', async () => {
    const slow = call('tokens=1000,rate=20', { request: streamed });
    expect(await failureOf(() => collect(adapter.stream(slow)))).toMatchObject({
      code: ErrorCode.UpstreamTimeout,
      message: 'anthropic did not finish within 800 ms',
    });
  });

  it('aborts the upstream request when the consumer stops reading', async () => {
    const abortsBefore = sim.stats.clientAborts;
    for await (const chunk of adapter.stream(call('tokens=1000,rate=50', { request: streamed }))) {
      if (chunk.choices[0]?.content) break;
    }
    await pollUntil(
      () => sim.stats.clientAborts,
      (aborts) => aborts === abortsBefore + 1,
    );
  });
});
