import type { ChatChunk, ChatRequest } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import type { ProviderSim } from '@polymux/provider-sim';
import {
  SIM_AWS_CREDENTIALS,
  countConverse,
  simBedrockBaseUrl,
  simBedrockDeployment,
  startProviderSim,
} from '@polymux/provider-sim';
import { collect, failureOf, pollUntil } from '@polymux/testing';

import type { ProviderCall } from '../provider-adapter';
import { BedrockAdapter, converseUrl } from './bedrock.adapter';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA = 'amazon.nova-pro-v1:0';
const request: ChatRequest = {
  model: 'smart',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Tell me about gateways.' }] },
  ],
  stream: false,
};
const streamed = { ...request, stream: true };
const expectedInputTokens = countConverse(CLAUDE, {
  system: [{ text: 'Be terse.' }],
  messages: [{ role: 'user', content: [{ text: 'Tell me about gateways.' }] }],
}).tokens;
const weather = {
  name: 'get.weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('converseUrl', () => {
  it('encodes the model id (an ARN, an inference profile) as one path segment', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-v1:0';
    expect(converseUrl('https://bedrock-runtime.us-east-1.amazonaws.com/', arn, true).pathname).toBe(
      `/model/${encodeURIComponent(arn)}/converse-stream`,
    );
    expect(converseUrl('https://bedrock-runtime.us-east-1.amazonaws.com', CLAUDE, false).pathname).toBe(
      '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse',
    );
  });
});

describe('BedrockAdapter against the provider simulator', () => {
  let sim: ProviderSim;
  let adapter: BedrockAdapter;

  const call = (scenario?: string, overrides: Partial<ProviderCall> = {}): ProviderCall => ({
    deployment: simBedrockDeployment(CLAUDE),
    baseUrl: simBedrockBaseUrl(sim.url, scenario),
    request,
    region: 'us-east-1',
    settings: { accessKeyId: SIM_AWS_CREDENTIALS.accessKeyId, secretAccessKey: SIM_AWS_CREDENTIALS.secretAccessKey },
    signal: new AbortController().signal,
    ...overrides,
  });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    adapter = new BedrockAdapter({ connectTimeoutMs: 1_000, firstByteTimeoutMs: 300, totalTimeoutMs: 800 });
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it('completes a SigV4-signed call with the exact usage', async () => {
    const response = await adapter.complete(call('tokens=5'));
    expect(response).toMatchObject({
      id: expect.stringMatching(/^bedrock-/),
      model: CLAUDE,
      choices: [{ index: 0, content: 'polymux routes every call through', finishReason: 'stop' }],
      usage: { inputTokens: expectedInputTokens, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0 },
    });
    expect(sim.stats.authorizations.has(`AWS4-HMAC-SHA256 ${SIM_AWS_CREDENTIALS.accessKeyId}`)).toBe(true);
  });

  it('signs with a session token, and authenticates with a Bedrock API key as a bearer token', async () => {
    const withToken = call(undefined, {
      settings: { ...call().settings, sessionToken: 'session-token-of-a-role' },
    });
    await expect(adapter.complete(withToken)).resolves.toMatchObject({ choices: [{ finishReason: 'stop' }] });
    await expect(adapter.complete(call(undefined, { settings: {}, apiKey: 'bedrock-api-key' }))).resolves.toMatchObject(
      { choices: [{ finishReason: 'stop' }] },
    );
    expect(sim.stats.authorizations.has('Bearer bedrock-api-key')).toBe(true);
  });

  it('is refused (403, retryable elsewhere) when signed with a wrong secret or an unknown key', async () => {
    const wrongSecret = call(undefined, { settings: { ...call().settings, secretAccessKey: 'not-the-secret' } });
    expect(await failureOf(() => adapter.complete(wrongSecret))).toMatchObject({
      code: ErrorCode.UpstreamError,
      upstreamStatus: 403,
      message: expect.stringContaining('InvalidSignatureException'),
    });
    const unknown = call(undefined, { settings: { ...call().settings, accessKeyId: 'AKIAUNKNOWN' } });
    expect(await failureOf(() => adapter.complete(unknown))).toMatchObject({
      upstreamStatus: 403,
      message: expect.stringContaining('UnrecognizedClientException'),
    });
  });

  it('makes a deployment without credentials or region unavailable, naming what is missing', async () => {
    expect(await failureOf(() => adapter.complete(call(undefined, { settings: {} })))).toMatchObject({
      code: ErrorCode.ServiceUnavailable,
      message: expect.stringContaining('set the settings accessKeyId and secretAccessKey, or credentialRef'),
    });
    const half = call(undefined, { settings: { accessKeyId: 'AKIA' } });
    expect(await failureOf(() => adapter.complete(half))).toMatchObject({
      code: ErrorCode.ServiceUnavailable,
      message: 'deployment sim-bedrock: the bedrock setting secretAccessKey is missing',
    });
    expect(await failureOf(() => adapter.complete(call(undefined, { region: undefined })))).toMatchObject({
      code: ErrorCode.ServiceUnavailable,
    });
  });

  it('streams the event stream: the role first, text deltas, the finish with the whole usage last', async () => {
    const chunks = await collect(adapter.stream(call('tokens=4', { request: streamed })));
    expect(chunks[0]).toMatchObject({ id: expect.stringMatching(/^bedrock-/), choices: [{ role: 'assistant' }] });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    const content = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.content ?? '')).join('');
    expect(content).toBe('polymux routes every call');
    expect(chunks.at(-1)).toMatchObject({
      choices: [{ finishReason: 'stop' }],
      usage: { inputTokens: expectedInputTokens, outputTokens: 4 },
    });
  });

  it('calls a tool whose name Bedrock rejects, answered under the caller name, in both modes', async () => {
    const tools = { ...request, tools: [weather], toolChoice: 'required' as const };
    const response = await adapter.complete(call(undefined, { request: tools }));
    const toolCall = response.choices[0]?.toolCalls?.[0];
    expect(response.choices[0]?.finishReason).toBe('tool_calls');
    expect(toolCall).toMatchObject({ id: expect.stringMatching(/^tooluse_/), name: 'get.weather' });
    expect(JSON.parse(toolCall?.arguments ?? '')).toEqual({ city: expect.any(String) });

    const chunks = await collect(adapter.stream(call(undefined, { request: { ...tools, stream: true } })));
    const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.toolCalls ?? []));
    expect(deltas[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^tooluse_/), name: 'get.weather' });
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.map((delta) => delta.arguments ?? '').join('')).toBe(toolCall?.arguments);
    expect(chunks.at(-1)?.choices[0]?.finishReason).toBe('tool_calls');
  });

  it('runs a tool loop with a failed result and an image in it, then answers', async () => {
    const first = await adapter.complete(call(undefined, { request: { ...request, tools: [weather] } }));
    const toolCall = first.choices[0]?.toolCalls?.[0];
    if (!toolCall) throw new Error('expected a tool call');
    const pixel =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const second = await adapter.complete(
      call(undefined, {
        request: {
          ...request,
          tools: [weather],
          messages: [
            ...request.messages,
            { role: 'assistant', content: [], toolCalls: [toolCall] },
            {
              role: 'tool',
              toolCallId: toolCall.id,
              isError: true,
              content: [
                { type: 'text', text: 'the weather service is down' },
                { type: 'image', url: pixel },
              ],
            },
          ],
        },
      }),
    );
    expect(second.choices[0]).toMatchObject({ finishReason: 'stop', content: expect.any(String) });
  });

  it('thinks on Claude, and the signed reasoning survives the next turn while an unsigned one is dropped', async () => {
    const thinking = { ...request, reasoning: { budgetTokens: 2_000 }, maxOutputTokens: 4_000 };
    const response = await adapter.complete(call(undefined, { request: thinking }));
    const [block] = response.choices[0]?.reasoning ?? [];
    expect(block).toMatchObject({ type: 'thinking', text: expect.stringMatching(/\S/), signature: expect.any(String) });
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

  it('serves a model of another family (Nova) without Claude-only fields', async () => {
    const nova = call('tokens=3', {
      deployment: simBedrockDeployment(NOVA),
      request: { ...request, reasoning: { budgetTokens: 2_000 }, topK: 5 },
    });
    const response = await adapter.complete(nova);
    expect(response).toMatchObject({ model: NOVA, choices: [{ finishReason: 'stop' }] });
    expect(response.choices[0]?.reasoning).toBeUndefined();
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

  it('refuses an image URL it would have to fetch, naming the limitation', async () => {
    const remote = {
      ...request,
      messages: [{ role: 'user' as const, content: [{ type: 'image' as const, url: 'https://example.com/a.png' }] }],
    };
    expect(await failureOf(() => adapter.complete(call(undefined, { request: remote })))).toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: 'Bedrock does not fetch image URLs: send the image inline, as a data: URL',
    });
  });

  it.each([
    ['status=500', { code: ErrorCode.UpstreamError, upstreamStatus: 500 }],
    ['status=503', { code: ErrorCode.UpstreamOverloaded, upstreamStatus: 503 }],
    [
      'status=429,retry-after=2',
      {
        code: ErrorCode.UpstreamRateLimited,
        upstreamStatus: 429,
        retryAfterSeconds: 2,
        message: 'the provider bedrock rate-limited the request (HTTP 429): ThrottlingException',
      },
    ],
    ['status=403', { code: ErrorCode.UpstreamError, upstreamStatus: 403 }],
    ['status=400', { code: ErrorCode.UpstreamBadRequest, upstreamStatus: 400 }],
    ['hang', { code: ErrorCode.UpstreamTimeout }],
  ])('maps %s', async (scenario, expected) => {
    expect(await failureOf(() => adapter.complete(call(scenario)))).toMatchObject(expected);
    expect(await failureOf(() => collect(adapter.stream(call(scenario, { request: streamed }))))).toMatchObject(
      expected,
    );
  });

  it('reports the exception of a stream after the chunks that arrived, without its text', async () => {
    const marker = 'zdr-marker-bedrock-mid-stream';
    const quoting = {
      ...streamed,
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: marker }] }],
    };
    const received: ChatChunk[] = [];
    const failure = await failureOf(async () => {
      for await (const chunk of adapter.stream(call('fail-after=4,echo', { request: quoting }))) received.push(chunk);
    });
    expect(failure).toEqual({
      code: ErrorCode.UpstreamError,
      message: 'the provider bedrock failed mid-stream: modelStreamErrorException',
    });
    expect(received.length).toBeGreaterThan(0);
    expect(JSON.stringify(failure)).not.toContain(marker);
  });

  it('reports a disconnect mid-stream as UpstreamError', async () => {
    const failure = await failureOf(() => collect(adapter.stream(call('disconnect-after=3', { request: streamed }))));
    expect(failure.code).toBe(ErrorCode.UpstreamError);
  });

  it('stops a stream at the total deadline with UpstreamTimeout', async () => {
    const slow = call('tokens=1000,rate=20', { request: streamed });
    expect(await failureOf(() => collect(adapter.stream(slow)))).toMatchObject({
      code: ErrorCode.UpstreamTimeout,
      message: 'bedrock did not finish within 800 ms',
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
