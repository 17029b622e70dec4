import type { EmbeddingRequest } from '@polymux/contracts';
import { ErrorCode, base64ToFloat32 } from '@polymux/contracts';
import type { ProviderSim } from '@polymux/provider-sim';
import { embeddingTokens, embeddingVector, simBaseUrl, simDeployment, startProviderSim } from '@polymux/provider-sim';

import type { EmbedCall } from '../provider-adapter';
import { OpenAiAdapter } from './openai.adapter';

describe('OpenAiAdapter.embed against the provider simulator', () => {
  let sim: ProviderSim;
  let adapter: OpenAiAdapter;

  const call = (request: EmbeddingRequest, scenario?: string): EmbedCall => ({
    deployment: { ...simDeployment(), upstreamModel: 'text-embedding-3-small', maxOutputTokens: 0 },
    baseUrl: simBaseUrl(sim.url, scenario),
    request,
    apiKey: 'sk-sim',
    signal: new AbortController().signal,
  });

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    adapter = new OpenAiAdapter({ connectTimeoutMs: 1_000, firstByteTimeoutMs: 300, totalTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it('embeds every input in order, with the provider usage, as float32 the simulator computed', async () => {
    const response = await adapter.embed(call({ model: 'small', input: ['alpha', 'beta gamma'] }));
    expect(response.model).toBe('text-embedding-3-small');
    expect(response.inputTokens).toBe(embeddingTokens('alpha') + embeddingTokens('beta gamma'));
    const vectors = response.embeddings.map(base64ToFloat32);
    expect(vectors.map((vector) => vector.length)).toEqual([1536, 1536]);
    expect(vectors[0]).toEqual(Array.from(embeddingVector('alpha', 1536)));
    expect(vectors[1]).toEqual(Array.from(embeddingVector('beta gamma', 1536)));
  });

  it('passes dimensions and pre-tokenised inputs on', async () => {
    const response = await adapter.embed(call({ model: 'small', input: [[1, 2, 3]], dimensions: 8 }));
    expect(response.inputTokens).toBe(3);
    expect(base64ToFloat32(response.embeddings[0])).toEqual(Array.from(embeddingVector([1, 2, 3], 8)));
  });

  it('maps an upstream failure to its error code', async () => {
    await expect(adapter.embed(call({ model: 'small', input: ['x'] }, 'status=500'))).rejects.toMatchObject({
      code: ErrorCode.UpstreamError,
    });
    await expect(adapter.embed(call({ model: 'small', input: ['x'] }, 'status=429'))).rejects.toMatchObject({
      code: ErrorCode.UpstreamRateLimited,
    });
  });
});
