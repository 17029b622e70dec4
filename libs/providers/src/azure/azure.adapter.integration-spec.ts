import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import type { ChatRequest } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import type { ProviderSim } from '@polymux/provider-sim';
import { simDeployment, startProviderSim } from '@polymux/provider-sim';
import { collect, failureOf } from '@polymux/testing';

import type { ProviderCall } from '../provider-adapter';
import { AzureAdapter } from './azure.adapter';

const request: ChatRequest = {
  model: 'fast',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there.' }] }],
  stream: false,
};

/**
 * MSAL insists on an https authority; this transport carries its https requests to the simulator's
 * plain-http port, as a TLS-terminating proxy would, so that the real `ClientSecretCredential` flow
 * runs against it.
 */
const toSimulator = (simUrl: string): HttpClient => ({
  async sendRequest(pipeline: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(pipeline.url);
    const answer = await fetch(`${simUrl}${url.pathname}${url.search}`, {
      method: pipeline.method,
      headers: { ...pipeline.headers.toJSON(), 'x-forwarded-proto': 'https', 'x-forwarded-host': url.host },
      body: typeof pipeline.body === 'string' ? pipeline.body : undefined,
    });
    const headers = createHttpHeaders();
    answer.headers.forEach((value, name) => headers.set(name, value));
    return { request: pipeline, status: answer.status, headers, bodyAsText: await answer.text() };
  },
});

describe('AzureAdapter against the provider simulator', () => {
  let sim: ProviderSim;
  let adapter: AzureAdapter;
  const deployment = { ...simDeployment(), id: 'azure/gpt-4o', provider: 'azure', upstreamModel: 'my-gpt-4o' };

  const call = (scenario?: string, overrides: Partial<ProviderCall> = {}): ProviderCall => ({
    deployment,
    baseUrl: scenario ? `${sim.url}/scenario/${scenario}/openai` : `${sim.url}/openai`,
    request,
    apiKey: 'azure-key',
    signal: new AbortController().signal,
    ...overrides,
  });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    adapter = new AzureAdapter(
      { connectTimeoutMs: 1_000, firstByteTimeoutMs: 1_000, totalTimeoutMs: 3_000 },
      { credentialOptions: { httpClient: toSimulator(sim.url), disableInstanceDiscovery: true } },
    );
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it('calls the deployment path with the default api-version and the key as api-key', async () => {
    const response = await adapter.complete(call('tokens=3'));
    expect(response).toMatchObject({
      model: 'my-gpt-4o',
      choices: [{ content: 'polymux routes every', finishReason: 'stop' }],
      usage: { outputTokens: 3 },
    });
    expect(sim.stats.authorizations.has('api-key azure-key')).toBe(true);
  });

  it('streams past the leading prompt-filter event, usage last', async () => {
    const chunks = await collect(adapter.stream(call('tokens=2', { request: { ...request, stream: true } })));
    expect(chunks.every((chunk) => chunk.choices.length > 0 || chunk.usage)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.content ?? '').join('')).toBe('polymux routes');
    expect(chunks.at(-1)?.usage).toMatchObject({ outputTokens: 2 });
  });

  it('gets an Entra ID token from the settings and sends it as a bearer token', async () => {
    const settings = {
      tenantId: 'tenant-1',
      clientId: 'client-1',
      clientSecret: 'secret-1',
      authorityHost: 'https://login.sim.test',
    };
    const first = await adapter.complete(call('tokens=1', { apiKey: undefined, settings }));
    await adapter.complete(call('tokens=1', { apiKey: undefined, settings }));
    expect(first.choices[0]?.finishReason).toBe('stop');
    const tokens = [...sim.stats.authorizations].filter((value) => value.startsWith('Bearer sim-entra-tenant-1-'));
    // One token, cached by the library for the second call.
    expect(tokens).toHaveLength(1);
  });

  it('refuses a deployment with a partial Entra ID setup, naming what is missing', async () => {
    const failure = await failureOf(() =>
      adapter.complete(call(undefined, { apiKey: undefined, settings: { tenantId: 't', clientId: 'c' } })),
    );
    expect(failure).toMatchObject({
      code: ErrorCode.ServiceUnavailable,
      message: expect.stringContaining('clientSecret'),
    });
  });

  it('maps content filtering: a cut completion to content_filter, a filtered prompt to a named 400', async () => {
    const cut = await adapter.complete(call('content-filter=completion'));
    expect(cut.choices[0]?.finishReason).toBe('content_filter');
    const streamed = await collect(
      adapter.stream(call('content-filter=completion', { request: { ...request, stream: true } })),
    );
    expect(streamed.flatMap((chunk) => chunk.choices.map((choice) => choice.finishReason)).filter(Boolean)).toEqual([
      'content_filter',
    ]);
    const prompt = await failureOf(() => adapter.complete(call('content-filter=prompt')));
    expect(prompt).toMatchObject({
      code: ErrorCode.UpstreamBadRequest,
      upstreamStatus: 400,
      message: expect.stringContaining('filtered'),
    });
  });

  it('honours the scenario knobs on the Azure paths: a 429 with retry-after, a mid-stream failure', async () => {
    expect(await failureOf(() => adapter.complete(call('status=429,retry-after=3')))).toMatchObject({
      code: ErrorCode.UpstreamRateLimited,
      retryAfterSeconds: 3,
    });
    const broken = failureOf(() =>
      collect(adapter.stream(call('tokens=20,fail-after=3', { request: { ...request, stream: true } }))),
    );
    expect(await broken).toMatchObject({ code: ErrorCode.UpstreamError });
  });

  it('embeds through the deployment path', async () => {
    const embedded = await adapter.embed({
      deployment: { ...deployment, upstreamModel: 'my-embedding' },
      baseUrl: `${sim.url}/openai`,
      apiKey: 'azure-key',
      request: { model: 'e', input: ['a', 'b'] },
      signal: new AbortController().signal,
    });
    expect(embedded.embeddings).toHaveLength(2);
  });
});
