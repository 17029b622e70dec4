import { join } from 'node:path';

import Anthropic from '@anthropic-ai/sdk';
import type { Stack } from '@polymux/testing';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(120_000);

/** A 1×1 transparent PNG. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe.each(MODES)('Anthropic Messages API (%s mode)', (mode) => {
  let gateway: Gateway;
  let stack: Stack;
  let client: Anthropic;
  let apiKey: string;

  const newKey = async (credits: string | undefined) => {
    const org = await gateway.admin<{ id: string }>('POST', '/orgs', { name: `anthropic-${mode}-${Date.now()}` });
    const project = await gateway.admin<{ id: string }>('POST', `/orgs/${org.id}/projects`, { name: 'app' });
    if (credits !== undefined) {
      await gateway.admin(
        'POST',
        `/projects/${project.id}/credits`,
        { amountUsd: credits },
        { 'idempotency-key': project.id },
      );
    }
    return (await gateway.admin<{ key: string }>('POST', `/projects/${project.id}/keys`, { name: 'k' })).key;
  };
  const anthropic = (key: string) => new Anthropic({ apiKey: key, baseURL: stack.ingressUrl, maxRetries: 0 });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.ingressUrl}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json', ...headers },
      body,
    }).then(async (response) => ({ status: response.status, headers: response.headers, body: await response.json() }));

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      catalogFile: join(__dirname, 'anthropic-messages.catalog.yaml'),
      label: 'e2eanthropic',
      env: { POLYMUX_MAX_BODY_BYTES: '200000' },
    });
    stack = gateway.stack;
    apiKey = gateway.apiKey;
    client = anthropic(apiKey);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('answers a message with its text, stop reason, usage and request ids', async () => {
    const { data, response } = await client.messages
      .create({
        model: 'gpt-4.1-mini',
        max_tokens: 256,
        system: 'You are terse.',
        messages: [{ role: 'user', content: 'Say hello.' }],
      })
      .withResponse();
    expect(data).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', stop_sequence: null });
    expect(data.id).toMatch(/^msg_/);
    expect(data.content).toEqual([{ type: 'text', text: expect.stringMatching(/\S/) }]);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-request-id'));
    expect(response.headers.get('request-id')).toBeTruthy();
  });

  it('streams every event type in order, with real usage in message_start', async () => {
    const stream = client.messages.stream({
      model: 'gpt-4.1-mini',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Tell me about NATS.' }],
    });
    const types: string[] = [];
    let startUsage: Anthropic.Usage | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_start') startUsage = event.message.usage;
    }
    const message = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types).toEqual(expect.arrayContaining(['content_block_start', 'content_block_delta', 'content_block_stop']));
    expect(startUsage!.input_tokens).toBeGreaterThan(0);
    expect(message.content).toEqual([{ type: 'text', text: expect.stringMatching(/\S/) }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it.each([false, true])('runs a tool_use → tool_result → answer loop (stream: %s)', async (streamed) => {
    const ask = async (params: Anthropic.MessageCreateParamsNonStreaming) =>
      streamed ? client.messages.stream(params).finalMessage() : client.messages.create(params);
    const question: Anthropic.MessageParam = { role: 'user', content: 'What is the weather in Paris?' };
    const first = await ask({ model: 'gpt-4.1-mini', max_tokens: 256, tools: [weather], messages: [question] });
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ name: 'get_weather', id: expect.any(String) });
    expect(typeof toolUse!.input).toBe('object');
    expect(first.content.every((block) => block.type !== 'text' || block.text !== '')).toBe(true);
    const answer = await ask({
      model: 'gpt-4.1-mini',
      max_tokens: 256,
      tools: [weather],
      tool_choice: { type: 'none' },
      messages: [
        question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.id, content: 'Sunny, 24°C' }] },
      ],
    });
    expect(answer.stop_reason).toBe('end_turn');
    expect(answer.content).toEqual([{ type: 'text', text: expect.stringMatching(/\S/) }]);
  });

  it('passes the anthropic-beta header on: a Claude model takes it, an OpenAI model names it dropped', async () => {
    const params = { max_tokens: 64, messages: [{ role: 'user' as const, content: 'Say hello.' }] };
    const betas = { headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' } };
    const claude = await client.messages.create({ model: 'claude-sonnet-4-5', ...params }, betas).withResponse();
    expect(claude.data).toMatchObject({ type: 'message', stop_reason: 'end_turn' });
    expect(claude.response.headers.get('x-polymux-dropped')).toBeNull();
    const openai = await client.messages.create({ model: 'gpt-4.1-mini', ...params }, betas).withResponse();
    expect(openai.data).toMatchObject({ type: 'message' });
    expect(openai.response.headers.get('x-polymux-dropped')).toBe('anthropic_beta');
  });

  it('reads anthropic-beta alike on messages and count_tokens: allowlisted betas taken, others ignored and named', async () => {
    const messages = [{ role: 'user' as const, content: 'Say hello.' }];
    const model = 'claude-sonnet-4-5';
    const allowed = { headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' } };
    const unknown = { headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19,files-api-2025-04-14' } };
    const call = await client.messages.create({ model, max_tokens: 64, messages }, unknown).withResponse();
    expect(call.data).toMatchObject({ type: 'message', stop_reason: 'end_turn' });
    expect(call.response.headers.get('x-polymux-dropped')).toBe('anthropic_beta');
    const taken = await client.messages.countTokens({ model, messages }, allowed).withResponse();
    expect(taken.response.headers.get('x-polymux-dropped')).toBeNull();
    const ignored = await client.messages.countTokens({ model, messages }, unknown).withResponse();
    expect(ignored.response.headers.get('x-polymux-dropped')).toBe('anthropic_beta');
    expect(ignored.data.input_tokens).toBe(taken.data.input_tokens);
  });

  it('carries a tool result that reports an error to Claude, and names is_error dropped for an OpenAI model', async () => {
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'What is the weather in Paris?' },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_e2e', name: 'get_weather', input: { city: 'Paris' } }],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_e2e', content: 'weather service down', is_error: true }],
      },
    ];
    const params = { max_tokens: 64, tools: [weather], tool_choice: { type: 'none' as const }, messages };
    const claude = await client.messages.create({ model: 'claude-sonnet-4-5', ...params }).withResponse();
    expect(claude.data.stop_reason).toBe('end_turn');
    expect(claude.response.headers.get('x-polymux-dropped')).toBeNull();
    const openai = await client.messages.create({ model: 'gpt-4.1-mini', ...params }).withResponse();
    expect(openai.data.stop_reason).toBe('end_turn');
    expect(openai.response.headers.get('x-polymux-dropped')).toBe('is_error');
  });

  it.each([false, true])(
    'drops and names the sampling settings Claude refuses with thinking on, so the call succeeds (stream: %s)',
    async (streamed) => {
      // This SDK's types leave the sampling settings out (newer models refuse them); the wire still takes them.
      const params = {
        model: 'claude-sonnet-4-5',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        temperature: 0.5,
        top_k: 5,
        messages: [{ role: 'user', content: 'Think, then say hello.' }],
      } as Anthropic.MessageCreateParamsNonStreaming;
      const ask = async () => {
        if (!streamed) {
          const { data, response } = await client.messages.create(params).withResponse();
          return { message: data, response };
        }
        const stream = client.messages.stream(params);
        const { response } = await stream.withResponse();
        return { message: await stream.finalMessage(), response };
      };
      const { message, response } = await ask();
      expect(response.headers.get('x-polymux-dropped')).toBe('temperature,top_k');
      expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    },
  );

  it('accepts an image block', async () => {
    const message = await client.messages.create({
      model: 'gpt-4.1-mini',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } },
            { type: 'text', text: 'What is in this image?' },
          ],
        },
      ],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(message.usage.input_tokens).toBeGreaterThan(0);
  });

  it('counts the input tokens of a request without calling a model', async () => {
    const short = await client.messages.countTokens({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    const long = await client.messages.countTokens({
      model: 'gpt-4.1-mini',
      system: 'You are a helpful assistant that answers in French.',
      tools: [weather],
      messages: [{ role: 'user', content: 'Hello, how is the weather in Paris today?' }],
    });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens);
    // An alias is a name of its model: counted the same.
    const aliased = await client.messages.countTokens({
      model: 'fast',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(aliased.input_tokens).toBe(short.input_tokens);
    await expect(
      client.messages.countTokens({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it("rejects a bad key as the SDK's AuthenticationError", async () => {
    const error = await anthropic('pmx-not-a-key')
      .messages.create({ model: 'gpt-4.1-mini', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error).toMatchObject({ status: 401, type: 'authentication_error', requestID: expect.any(String) });
  });

  it('rejects a malformed body as BadRequestError, in Anthropic shape, Fastify-level errors included', async () => {
    const error = await client.messages
      .create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x' }] } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ type: 'invalid_request_error', apiMessage: expect.stringMatching(/max_tokens/) });
    const invalidJson = await post('/v1/messages', '{"model": "gpt-4.1-mini", "messages": [');
    expect(invalidJson).toMatchObject({
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error' } },
    });
    const tooLarge = await post(
      '/v1/messages',
      JSON.stringify({
        model: 'gpt-4.1-mini',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'x'.repeat(300_000) }],
      }),
    );
    expect(tooLarge).toMatchObject({ status: 413, body: { type: 'error', error: { type: 'request_too_large' } } });
    const badVersion = await post('/v1/messages', '{}', { 'anthropic-version': 'yesterday' });
    expect(badVersion).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/anthropic-version/) } },
    });
    const serverTool = await post(
      '/v1/messages',
      JSON.stringify({
        model: 'gpt-4.1-mini',
        max_tokens: 8,
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        messages: [{ role: 'user', content: 'x' }],
      }),
    );
    expect(serverTool).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/server tools/) } },
    });
    // The OpenAI route keeps OpenAI's shape.
    const openAi = await post('/v1/chat/completions', '{"model": [');
    expect(openAi).toMatchObject({
      status: 400,
      body: { error: { type: 'invalid_request_error', code: 'invalid_request' } },
    });
  });

  it('refuses a call the balance cannot cover with a 402 billing_error', async () => {
    const error = await anthropic(await newKey(undefined))
      .messages.create({ model: 'gpt-4.1-mini', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status: 402, type: 'billing_error' });
  });

  it('answers an overloaded provider with 529 overloaded_error', async () => {
    const error = await client.messages
      .create({ model: 'overloaded', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error).toMatchObject({ status: 529, type: 'overloaded_error' });
  });

  it('turns an upstream failure mid-stream into an error event the SDK raises', async () => {
    const stream = client.messages.stream({
      model: 'fails-midstream',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Fail midway.' }],
    });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((caught: unknown) => caught);
    expect(types[0]).toBe('message_start');
    expect(types).toContain('content_block_delta');
    expect(types).not.toContain('message_stop');
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ error: { type: 'error', error: { type: 'api_error' } } });
  });
});
