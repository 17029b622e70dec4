import type { ChatChunk, ChatRequest, Deployment, ErrorPayload } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import type { ProviderSim } from '@polymux/provider-sim';
import {
  generatedText,
  simClaudeDeployment,
  simGeminiDeployment,
  simGoogleBaseUrl,
  simServiceAccount,
  startProviderSim,
} from '@polymux/provider-sim';
import { generateKeyPairSync } from 'node:crypto';

import type { ProviderCall } from '../provider-adapter';
import { VertexAdapter, vertexUrl } from './vertex.adapter';

const request: ChatRequest = {
  model: 'smart',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me about gateways.' }] }],
  stream: false,
};
const weather = {
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
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

describe('vertexUrl', () => {
  it('names project, location and the publisher of the model', () => {
    const settings = { project: 'p1', location: 'us-east5', serviceAccount: { client_email: 'a', private_key: 'k' } };
    expect(
      vertexUrl('https://us-east5-aiplatform.googleapis.com/v1', settings, 'claude-sonnet-4-5', 'rawPredict'),
    ).toBe(
      'https://us-east5-aiplatform.googleapis.com/v1/projects/p1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5:rawPredict',
    );
    expect(vertexUrl('https://aiplatform.googleapis.com', settings, 'gemini-2.5-pro', 'generateContent')).toBe(
      'https://aiplatform.googleapis.com/v1/projects/p1/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent',
    );
  });
});

describe('VertexAdapter against the provider simulator', () => {
  let sim: ProviderSim;
  let adapter: VertexAdapter;
  const settings = () => ({
    project: 'polymux-sim',
    location: 'us-east5',
    serviceAccount: JSON.stringify(simServiceAccount(sim.url)),
  });
  const call = (
    deployment: Deployment,
    scenario?: string,
    overrides: Partial<ChatRequest> = {},
    extra: Partial<ProviderCall> = {},
  ): ProviderCall => ({
    deployment: { ...deployment, provider: 'vertex' },
    baseUrl: simGoogleBaseUrl(sim.url, 'vertex', scenario),
    request: { ...request, ...overrides },
    settings: settings(),
    signal: new AbortController().signal,
    ...extra,
  });
  const gemini = (scenario?: string, overrides?: Partial<ChatRequest>) =>
    call(simGeminiDeployment(), scenario, overrides);
  const claude = (scenario?: string, overrides?: Partial<ChatRequest>) =>
    call(simClaudeDeployment(), scenario, overrides);

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    adapter = new VertexAdapter({ connectTimeoutMs: 2_000, firstByteTimeoutMs: 2_000, totalTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it('calls Gemini on Vertex with one service-account token, fetched once for many calls', async () => {
    const before = sim.stats.requests;
    const [first, second] = await Promise.all([adapter.complete(gemini()), adapter.complete(gemini())]);
    await adapter.complete(gemini());
    expect(first.choices[0]).toMatchObject({ content: generatedText(16), finishReason: 'stop' });
    expect(second.choices[0]?.content).toBe(first.choices[0]?.content);
    // Three generateContent calls and a single token grant.
    expect(sim.stats.requests - before).toBe(4);
    const bearers = [...sim.stats.authorizations].filter((value) => value.startsWith('Bearer ya29.sim-'));
    expect(bearers).toHaveLength(1);
  });

  it('streams Gemini on Vertex, and runs a tool call', async () => {
    const chunks = await collect(adapter.stream(gemini(undefined, { stream: true })));
    expect(chunks.map((chunk) => chunk.choices[0]?.content ?? '').join('')).toBe(generatedText(16));
    expect(chunks.at(-1)?.usage?.outputTokens).toBe(16);
    const called = await adapter.complete(gemini(undefined, { tools: [weather], toolChoice: 'required' }));
    expect(called.choices[0]).toMatchObject({ finishReason: 'tool_calls', toolCalls: [{ name: 'get_weather' }] });
  });

  it('calls Claude on Vertex through rawPredict and streamRawPredict with Anthropic’s answers', async () => {
    const response = await adapter.complete(claude());
    expect(response.choices[0]).toMatchObject({ content: generatedText(16), finishReason: 'stop' });
    expect(response.id).toMatch(/^msg_/);
    const chunks = await collect(adapter.stream(claude(undefined, { stream: true, tools: [weather] })));
    const calls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.toolCalls ?? []));
    expect(calls[0]).toMatchObject({ name: 'get_weather', id: expect.stringMatching(/^toolu_/) });
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finishReason)).filter(Boolean)).toEqual([
      'tool_calls',
    ]);
  });

  it.each([
    ['gemini', 'status=429,retry-after=3', { code: ErrorCode.UpstreamRateLimited, retryAfterSeconds: 3 }],
    ['claude', 'status=429,retry-after=3', { code: ErrorCode.UpstreamRateLimited, retryAfterSeconds: 3 }],
    ['gemini', 'status=503', { code: ErrorCode.UpstreamOverloaded }],
    ['claude', 'status=500', { code: ErrorCode.UpstreamError, upstreamStatus: 500 }],
  ])('maps %s’s %s in Google’s shape', async (publisher, scenario, expected) => {
    const failure = await failureOf(() =>
      adapter.complete(publisher === 'gemini' ? gemini(scenario) : claude(scenario)),
    );
    expect(failure).toMatchObject(expected);
  });

  it('refuses a deployment without its settings, so the router falls back', async () => {
    const missing = call(
      simGeminiDeployment(),
      undefined,
      {},
      { settings: { project: 'polymux-sim', location: 'us-east5' } },
    );
    expect(await failureOf(() => adapter.complete(missing))).toEqual({
      code: ErrorCode.ServiceUnavailable,
      message: 'vertex deployment sim-gemini: the setting serviceAccount is missing',
    });
    const broken = call(
      simGeminiDeployment(),
      undefined,
      {},
      { settings: { ...settings(), serviceAccount: '{"client_email":1}' } },
    );
    expect((await failureOf(() => adapter.complete(broken))).code).toBe(ErrorCode.ServiceUnavailable);
  });

  it('fails with a retryable error when the token endpoint refuses the account’s signature', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = {
      ...simServiceAccount(sim.url),
      client_email: 'stranger@x.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    const failure = await failureOf(() =>
      adapter.complete(
        call(
          simGeminiDeployment(),
          undefined,
          {},
          { settings: { ...settings(), serviceAccount: JSON.stringify(stranger) } },
        ),
      ),
    );
    expect(failure).toEqual({
      code: ErrorCode.UpstreamError,
      message: 'vertex could not get an access token for stranger@x.iam.gserviceaccount.com (HTTP 400)',
      upstreamStatus: 400,
    });
  });

  it('is refused by Vertex without a token (the simulator checks it)', async () => {
    const response = await fetch(
      `${simGoogleBaseUrl(sim.url, 'vertex')}/projects/p/locations/l/publishers/google/models/gemini-2.5-flash:generateContent`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer forged' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      },
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });
});
