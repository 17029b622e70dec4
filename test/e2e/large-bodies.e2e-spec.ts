import { join } from 'node:path';

import type { Stack } from '@polymux/testing';
import { deleteNatsNamespace, pollUntil, startStack } from '@polymux/testing';
import OpenAI from 'openai';

jest.setTimeout(180_000);

const BOOTSTRAP_KEY = 'pmx-e2e-large-bodies-key-0123456789abcdef';
const MIB = 1024 * 1024;
/** Above NATS's default 1 MiB `max_payload`, which the local server keeps. */
const MAX_BODY_BYTES = 4 * MIB;
const MODES = ['distributed', 'embedded'] as const;

/** About `bytes` of prose-like text, so it tokenizes like a real long prompt. */
const prose = (bytes: number): string => {
  const words = ['gateway', 'routes', 'every', 'request', 'to', 'a', 'model', 'and', 'charges', 'tokens'];
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const word = words[(i * 7) % words.length];
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
};

describe.each(MODES)('request bodies larger than a NATS message (%s mode)', (mode) => {
  let stack: Stack;
  let client: OpenAI;
  const namespace = `e2elarge${mode}${process.pid}${Date.now()}`;
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

  beforeAll(async () => {
    stack = await startStack({
      mode,
      bootstrapKey: BOOTSTRAP_KEY,
      bootstrapCreditsUsd: 10,
      env: {
        POLYMUX_CATALOG_FILE: join(__dirname, 'catalog.yaml'),
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        NATS_URL: natsUrl,
        NATS_SUBJECT_PREFIX: namespace,
        REDIS_KEY_PREFIX: `${namespace}:`,
        POLYMUX_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      },
    });
    client = new OpenAI({ apiKey: BOOTSTRAP_KEY, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0, timeout: 120_000 });
    // The bootstrap credits are granted just after start: wait until a call is no longer refused for them.
    await pollUntil(
      () =>
        client.chat.completions
          .create({ model: 'gpt-4.1-mini', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] })
          .then(
            () => 200,
            (error: { status?: number }) => error.status ?? 0,
          ),
      (status) => status === 200,
      { timeoutMs: 15_000 },
    );
  });

  afterAll(async () => {
    await stack?.stop();
    if (mode === 'distributed') await deleteNatsNamespace(natsUrl, namespace);
  });

  it('answers a ~2 MiB chat completion and reports its prompt tokens', async () => {
    const prompt = prose(2 * MIB);
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(2 * MIB);
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      max_tokens: 16,
      messages: [{ role: 'user', content: prompt }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toEqual(expect.any(String));
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(200_000);
  });

  it('streams a ~2 MiB chat completion', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: prose(2 * MIB) }],
    });
    let text = '';
    let promptTokens = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      promptTokens = chunk.usage?.prompt_tokens ?? promptTokens;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(promptTokens).toBeGreaterThan(200_000);
  });

  it('answers a body over POLYMUX_MAX_BODY_BYTES with a 413 in OpenAI format', async () => {
    const response = await fetch(`${stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: prose(MAX_BODY_BYTES + 1) }] }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: expect.objectContaining({ code: 'payload_too_large', type: 'invalid_request_error' }),
    });
    // The same through the official SDK: the client reads the 413 instead of a reset connection.
    await expect(
      client.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: prose(MAX_BODY_BYTES + 1) }],
      }),
    ).rejects.toMatchObject({ status: 413, code: 'payload_too_large', type: 'invalid_request_error' });
    // The gateway still serves a good call afterwards.
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      max_tokens: 4,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.object).toBe('chat.completion');
  });
});
