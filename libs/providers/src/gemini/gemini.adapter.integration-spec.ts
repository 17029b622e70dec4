import type { ChatChunk, ChatRequest, ErrorPayload } from '@polymux/contracts';
import { ErrorCode, base64ToFloat32 } from '@polymux/contracts';
import type { ProviderSim } from '@polymux/provider-sim';
import {
  generatedText,
  geminiPromptTokens,
  simGeminiDeployment,
  simGoogleBaseUrl,
  startProviderSim,
} from '@polymux/provider-sim';

import type { ProviderCall } from '../provider-adapter';
import { GeminiAdapter, geminiUrl } from './gemini.adapter';
import { toGeminiRequest } from './gemini.request';

const request: ChatRequest = {
  model: 'fast',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Tell me about gateways.' }] },
  ],
  stream: false,
};
const expectedInputTokens = geminiPromptTokens(toGeminiRequest(request).body);
const weather = {
  name: 'get_weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
};

const failureOf = async (work: () => Promise<unknown>): Promise<ErrorPayload> => {
  const error = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error && typeof error === 'object' && 'toPayload' in error && typeof error.toPayload === 'function'))
    throw new Error(`expected a PolymuxException, got ${String(error)}`);
  return error.toPayload() as ErrorPayload;
};

const collect = async (chunks: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> => {
  const result: ChatChunk[] = [];
  for await (const chunk of chunks) result.push(chunk);
  return result;
};

describe('geminiUrl', () => {
  it('posts under the versioned base URL, adding /v1beta to a bare origin', () => {
    expect(geminiUrl('https://generativelanguage.googleapis.com/v1beta/', 'gemini-2.5-flash', 'generateContent')).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    );
    expect(geminiUrl('https://generativelanguage.googleapis.com', 'models/gemini-2.5-pro', 'batchEmbedContents')).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:batchEmbedContents',
    );
  });
});

describe('GeminiAdapter against the provider simulator', () => {
  let sim: ProviderSim;
  let adapter: GeminiAdapter;
  const call = (scenario?: string, overrides: Partial<ChatRequest> = {}): ProviderCall => ({
    deployment: simGeminiDeployment(),
    baseUrl: simGoogleBaseUrl(sim.url, 'gemini', scenario),
    request: { ...request, ...overrides },
    apiKey: 'gemini-sim-key',
    signal: new AbortController().signal,
  });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    adapter = new GeminiAdapter({ connectTimeoutMs: 2_000, firstByteTimeoutMs: 2_000, totalTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it('completes with exact usage, the key sent as x-goog-api-key', async () => {
    const response = await adapter.complete(call());
    expect(response.choices).toEqual([{ index: 0, content: generatedText(16), finishReason: 'stop' }]);
    expect(response.usage).toEqual({ inputTokens: expectedInputTokens, outputTokens: 16 });
    expect([...sim.stats.authorizations]).toContain('x-goog-api-key gemini-sim-key');
  });

  it('streams the same text, the usage once at the end', async () => {
    const chunks = await collect(adapter.stream(call(undefined, { stream: true })));
    const text = chunks.map((chunk) => chunk.choices[0]?.content ?? '').join('');
    expect(text).toBe((await adapter.complete(call())).choices[0]?.content);
    expect(chunks.filter((chunk) => chunk.usage)).toEqual([
      expect.objectContaining({ choices: [], usage: { inputTokens: expectedInputTokens, outputTokens: 16 } }),
    ]);
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finishReason)).filter(Boolean)).toEqual([
      'stop',
    ]);
  });

  it('runs a tool loop: a schema-valid call, its result sent back by name, then text', async () => {
    const tools = [weather];
    const first = await adapter.complete(call(undefined, { tools, toolChoice: 'required' }));
    const [toolCall] = first.choices[0]?.toolCalls ?? [];
    expect(first.choices[0]?.finishReason).toBe('tool_calls');
    const args = JSON.parse(toolCall?.arguments ?? '') as { city: unknown; unit: unknown };
    expect(typeof args.city).toBe('string');
    expect(['c', 'f']).toContain(args.unit);
    const second = await adapter.complete(
      call(undefined, {
        tools,
        messages: [
          ...request.messages,
          { role: 'assistant', content: [], toolCalls: first.choices[0]?.toolCalls },
          { role: 'tool', toolCallId: toolCall?.id, content: [{ type: 'text', text: 'sunny' }] },
        ],
      }),
    );
    expect(second.choices[0]).toMatchObject({ finishReason: 'stop', content: expect.stringMatching(/\S/) });
  });

  it('thinks with a signature the simulator accepts back on its part, and refuses forged', async () => {
    const thinking = { reasoning: { budgetTokens: 1_024 }, tools: [weather] };
    const first = await adapter.complete(call(undefined, thinking));
    const choice = first.choices[0];
    expect(choice?.reasoning).toEqual([
      { type: 'thinking', text: expect.any(String), signature: expect.stringMatching(/^gemini:/) },
    ]);
    expect(first.usage?.reasoningTokens).toBeGreaterThan(0);
    const back = (signature: string) =>
      adapter.complete(
        call(undefined, {
          ...thinking,
          messages: [
            ...request.messages,
            { role: 'assistant', content: [{ type: 'thinking', text: '', signature }], toolCalls: choice?.toolCalls },
            { role: 'tool', toolCallId: choice?.toolCalls?.[0]?.id, content: [{ type: 'text', text: 'sunny' }] },
          ],
        }),
      );
    await expect(
      back(choice?.reasoning?.[0]?.type === 'thinking' ? (choice.reasoning[0].signature ?? '') : ''),
    ).resolves.toMatchObject({
      choices: [{ finishReason: 'stop' }],
    });
    expect(await failureOf(() => back('gemini:forged'))).toMatchObject({
      code: ErrorCode.UpstreamBadRequest,
      upstreamStatus: 400,
    });
  });

  it('answers JSON of the response schema and reports cached tokens', async () => {
    const response = await adapter.complete(
      call('cached=4', {
        responseFormat: {
          type: 'json_schema',
          name: 'city',
          schema: {
            type: 'object',
            properties: { name: { type: 'string' }, population: { type: 'integer' } },
            required: ['name', 'population'],
          },
        },
      }),
    );
    const city = JSON.parse(response.choices[0]?.content ?? '') as { name: unknown; population: unknown };
    expect(typeof city.name).toBe('string');
    expect(Number.isInteger(city.population)).toBe(true);
    expect(response.usage?.cachedInputTokens).toBe(4);
  });

  it.each([
    ['status=429,retry-after=2', { code: ErrorCode.UpstreamRateLimited, upstreamStatus: 429, retryAfterSeconds: 2 }],
    ['status=503', { code: ErrorCode.UpstreamOverloaded, upstreamStatus: 503 }],
    ['status=500', { code: ErrorCode.UpstreamError, upstreamStatus: 500 }],
    ['status=400,echo', { code: ErrorCode.UpstreamBadRequest, upstreamStatus: 400 }],
  ])('maps the simulator’s %s in Google’s shape', async (scenario, expected) => {
    const failure = await failureOf(() => adapter.complete(call(scenario)));
    expect(failure).toMatchObject(expected);
    expect(failure.message).not.toContain('gateways');
  });

  it('fails a stream cut mid-way or failed mid-way, after the text it had', async () => {
    const cut = await failureOf(() => collect(adapter.stream(call('disconnect-after=3', { stream: true }))));
    expect(cut.code).toBe(ErrorCode.UpstreamError);
    const failed = await failureOf(() => collect(adapter.stream(call('fail-after=3', { stream: true }))));
    expect(failed).toMatchObject({ code: ErrorCode.UpstreamError, message: expect.stringContaining('INTERNAL') });
  });

  /** What the caller sees of an answer under `scenario`, complete or streamed. */
  const filtered = async (scenario: string, stream: boolean) => {
    type Seen = { finishReason?: string | null; content?: string | null; refusal?: string | null };
    const answers: Array<{ choices: readonly Seen[] }> = stream
      ? await collect(adapter.stream(call(scenario, { stream: true })))
      : [await adapter.complete(call(scenario))];
    const choices = answers.flatMap((answer) => answer.choices);
    return {
      finishes: choices.map((choice) => choice.finishReason).filter(Boolean),
      refused: choices.some((choice) => choice.refusal),
      text: choices.map((choice) => choice.content ?? '').join(''),
    };
  };

  it.each([false, true])(
    'answers a prompt Google blocks as a refusal, finish content_filter (stream: %s)',
    async (stream) => {
      expect(await filtered('content-filter=prompt', stream)).toEqual({
        finishes: ['content_filter'],
        refused: true,
        text: '',
      });
    },
  );

  it.each([false, true])('ends an answer the safety filter stops with content_filter (stream: %s)', async (stream) => {
    expect(await filtered('content-filter=completion', stream)).toEqual({
      finishes: ['content_filter'],
      refused: false,
      text: generatedText(8),
    });
  });

  it('times out a hanging provider', async () => {
    const fast = new GeminiAdapter({ connectTimeoutMs: 500, firstByteTimeoutMs: 200, totalTimeoutMs: 300 });
    try {
      expect((await failureOf(() => fast.complete(call('hang')))).code).toBe(ErrorCode.UpstreamTimeout);
    } finally {
      await fast.close();
    }
  });

  it('embeds texts with batchEmbedContents at the asked size', async () => {
    const { deployment, baseUrl, apiKey, signal } = call();
    const response = await adapter.embed({
      deployment: { ...deployment, upstreamModel: 'gemini-embedding-001' },
      baseUrl,
      apiKey,
      signal,
      request: { model: 'embed', input: ['one', 'two'], dimensions: 8 },
    });
    expect(response.embeddings.map((vector) => base64ToFloat32(vector).length)).toEqual([8, 8]);
    expect(response.inputTokens).toBeNull();
  });
});
