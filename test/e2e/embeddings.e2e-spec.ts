import { join } from 'node:path';

import { DEFAULT_DIMENSIONS, LARGE_DIMENSIONS, embeddingTokens, embeddingVector } from '@polymux/provider-sim';
import type { Stack } from '@polymux/testing';
import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { startGateway } from './support/gateway';

jest.setTimeout(120_000);

/** nano-USD per million input tokens of each embeddings model in embeddings.catalog.yaml. */
const PRICE = { 'text-embedding-3-small': 20_000_000n, 'text-embedding-3-large': 130_000_000n } as const;

/** What a charge of `tokens` input tokens at `perMTok` comes to, rounded up like billing's. */
const charge = (tokens: number, perMTok: bigint) => (BigInt(tokens) * perMTok + 999_999n) / 1_000_000n;

/**
 * `POST /v1/embeddings` and `GET /v1/models` through the real path (HTTP → router → executor →
 * simulator → usage on JetStream → billing), driven by the official OpenAI SDK and raw fetch.
 */
describe.each(['distributed', 'embedded'] as const)('embeddings and models (%s mode)', (mode) => {
  let gateway: Gateway;
  let stack: Stack;
  let client: OpenAI;
  let apiKey: string;
  let scopedKey: string;

  const charges = (requestId: string) => gateway.charges(requestId);
  const balance = () =>
    gateway.admin<{ balanceUsd: string; reservedUsd: string }>('GET', `/projects/${gateway.projectId}/balance`);
  const post = async (body: unknown, key = apiKey) => {
    const response = await fetch(`${stack.ingressUrl}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      authenticatedNats: true,
      catalogFile: join(__dirname, 'embeddings.catalog.yaml'),
      label: 'e2eembed',
    });
    stack = gateway.stack;
    apiKey = gateway.apiKey;
    scopedKey = (
      await gateway.admin<{ key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
        name: 'scoped',
        allowedModels: ['text-embedding-3-small'],
      })
    ).key;
    client = new OpenAI({ apiKey, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('embeds floats with the SDK and charges exactly the input tokens at the list price', async () => {
    const inputs = ['The quick brown fox', 'jumps over the lazy dog'];
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: inputs, encoding_format: 'float' })
      .withResponse();
    expect(response.headers.get('x-polymux-task')).toBe('embeddings');
    expect(data.object).toBe('list');
    expect(data.model).toBe('text-embedding-3-small');
    expect(data.data.map((item) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    data.data.forEach((item, index) => {
      expect(item.embedding).toEqual(Array.from(embeddingVector(inputs[index], DEFAULT_DIMENSIONS)));
    });
    const tokens = inputs.reduce((sum, input) => sum + embeddingTokens(input), 0);
    expect(data.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    const requestId = response.headers.get('x-request-id')!;
    expect(await charges(requestId)).toEqual([
      expect.objectContaining({
        kind: 'charge',
        amountNanoUsd: (-charge(tokens, PRICE['text-embedding-3-small'])).toString(),
      }),
    ]);
    await pollUntil(balance, (now) => now.reservedUsd === '0');
  });

  it('decodes the base64 the SDK asks for by default, and answers both explicit forms on the wire', async () => {
    const sdk = await client.embeddings.create({ model: 'embed', input: 'alpha' });
    expect(sdk.data[0].embedding).toEqual(Array.from(embeddingVector('alpha', DEFAULT_DIMENSIONS)));

    const base64 = await post({ model: 'text-embedding-3-small', input: ['alpha'], encoding_format: 'base64' });
    expect(base64.status).toBe(200);
    const [item] = base64.body.data as Array<{ embedding: unknown }>;
    expect(typeof item.embedding).toBe('string');
    const bytes = Buffer.from(item.embedding as string, 'base64');
    expect(bytes.byteLength).toBe(DEFAULT_DIMENSIONS * 4);
    const expected = embeddingVector('alpha', DEFAULT_DIMENSIONS);
    expect(bytes.equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(true);

    const float = await post({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'float' });
    expect(float.status).toBe(200);
    expect((float.body.data as Array<{ embedding: unknown }>)[0].embedding).toEqual(Array.from(expected));
  });

  it('passes dimensions on, answers the model default size without, and charges the larger model its price', async () => {
    const small = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'beta', dimensions: 256 });
    expect(small.data[0].embedding).toHaveLength(256);
    expect(small.data[0].embedding).toEqual(Array.from(embeddingVector('beta', 256)));

    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-large', input: [[10, 20, 30, 40]], encoding_format: 'float' })
      .withResponse();
    expect(data.data[0].embedding).toHaveLength(LARGE_DIMENSIONS);
    expect(data.usage.prompt_tokens).toBe(4);
    expect(await charges(response.headers.get('x-request-id')!)).toEqual([
      expect.objectContaining({
        kind: 'charge',
        amountNanoUsd: (-charge(4, PRICE['text-embedding-3-large'])).toString(),
      }),
    ]);
  });

  it('refuses a chat model for embeddings, an embeddings model for chat, and sizes a model cannot give', async () => {
    const before = await balance();
    const chatModel = await post({ model: 'gpt-4.1-mini', input: 'x' });
    expect(chatModel).toMatchObject({
      status: 400,
      body: { error: { type: 'invalid_request_error', code: 'no_capable_model', param: 'model' } },
    });
    expect((chatModel.body.error as { message: string }).message).toContain('is not an embeddings model');
    await expect(
      client.chat.completions.create({ model: 'text-embedding-3-small', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 400, code: 'no_capable_model' });
    expect(await post({ model: 'text-embedding-3-small', input: 'x', dimensions: 4096 })).toMatchObject({
      status: 400,
    });
    expect(await post({ model: 'text-embedding-ada-002', input: 'x', dimensions: 256 })).toMatchObject({ status: 400 });
    expect(await post({ model: 'auto', input: 'x' })).toMatchObject({ status: 400 });
    expect(await post({ model: 'text-embedding-3-small', input: [] })).toMatchObject({
      status: 400,
      body: { error: { param: 'input' } },
    });
    expect(
      await post({ model: 'text-embedding-3-small', input: Array.from({ length: 2049 }, () => 'x') }),
    ).toMatchObject({
      status: 400,
    });
    expect(await post({ model: 'text-embedding-3-large', input: 'x' }, scopedKey)).toMatchObject({
      status: 403,
      body: { error: { code: 'model_not_allowed' } },
    });
    await pollUntil(balance, (now) => now.reservedUsd === '0');
    expect((await balance()).balanceUsd).toBe(before.balanceUsd);
  });

  it('lists the models a key may use with the extra fields, and retrieves them', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual([
      'gpt-4.1-mini',
      'text-embedding-3-small',
      'text-embedding-3-large',
      'text-embedding-ada-002',
    ]);
    expect(models[1]).toEqual({
      id: 'text-embedding-3-small',
      object: 'model',
      created: 0,
      owned_by: 'openai',
      context_window: 8191,
      max_output_tokens: 0,
      capabilities: {
        tools: false,
        parallel_tools: false,
        vision: false,
        json_schema: false,
        reasoning: false,
        embeddings: true,
        streaming: false,
      },
      pricing: { input: '0.02', output: '0' },
      aliases: ['openai/text-embedding-3-small', 'embed'],
    });
    expect(models[0]).toMatchObject({
      capabilities: { tools: true, vision: true, json_schema: true, embeddings: false, streaming: true },
      pricing: { input: '0.4', output: '1.6' },
      max_output_tokens: 32768,
    });
    expect(models[2].owned_by).toBe('openai-labs');
    expect(await client.models.retrieve('text-embedding-3-large')).toMatchObject({
      id: 'text-embedding-3-large',
      owned_by: 'openai-labs',
      pricing: { input: '0.13', output: '0' },
    });
  });

  it('answers 404 model_not_found for an alias, an unknown model and one outside the key scope', async () => {
    const scoped = new OpenAI({ apiKey: scopedKey, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
    const ids = [];
    for await (const model of scoped.models.list()) ids.push(model.id);
    expect(ids).toEqual(['text-embedding-3-small']);
    await expect(scoped.models.retrieve('text-embedding-3-small')).resolves.toMatchObject({
      id: 'text-embedding-3-small',
    });
    for (const id of ['gpt-4.1-mini', 'embed', 'no-such-model']) {
      await expect(scoped.models.retrieve(id)).rejects.toMatchObject({
        status: 404,
        code: 'model_not_found',
        type: 'not_found_error',
      });
    }
    await expect(client.models.retrieve('embed')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
