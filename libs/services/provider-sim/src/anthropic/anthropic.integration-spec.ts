import Anthropic from '@anthropic-ai/sdk';

import type { ProviderSim } from '../provider-sim.server';
import { SCENARIO_HEADER, startProviderSim } from '../provider-sim.server';
import { countPrompt } from './anthropic-tokens';
import { thinkingSignature } from './message';

const messages = [{ role: 'user' as const, content: 'Say something about gateways.' }];
const system = 'You are terse.';
const expectedInput = countPrompt({ model: 'claude-sonnet-4-5', system, messages }).tokens;
const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather of a city',
  input_schema: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { enum: ['c', 'f'] },
      days: { type: 'integer', minimum: 1, maximum: 7 },
    },
    required: ['city', 'unit', 'days'],
  },
};

describe('provider-sim Anthropic Messages API', () => {
  let sim: ProviderSim;
  let client: Anthropic;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    client = new Anthropic({ baseURL: sim.url, apiKey: 'sk-ant-sim', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  it('answers a message with the SDK, with exact usage, and records the x-api-key', async () => {
    const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, system, messages });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: expectedInput, output_tokens: 16, cache_read_input_tokens: 0 },
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: 'text', text: expect.any(String) }]);
    await fetch(`${sim.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-raw', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages }),
    });
    expect([...sim.stats.authorizations]).toContain('x-api-key sk-ant-raw');
  });

  it('streams every event type with the SDK, usage in message_start and message_delta', async () => {
    const stream = client.messages.stream(
      { model: 'claude-sonnet-4-5', max_tokens: 1024, system, messages },
      { headers: { [SCENARIO_HEADER]: 'tokens=5' } },
    );
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types.filter((type) => type === 'content_block_delta')).toHaveLength(5);
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(final.content).toEqual([{ type: 'text', text: 'polymux routes every call through' }]);
    expect(final.usage).toMatchObject({ input_tokens: expectedInput, output_tokens: 5 });
  });

  it('calls a tool with input generated from its schema, the same in both modes', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      messages,
      tools: [weather],
      tool_choice: { type: 'any' },
    });
    expect(message.stop_reason).toBe('tool_use');
    const use = message.content.find((block) => block.type === 'tool_use');
    expect(use).toMatchObject({ name: 'get_weather', id: expect.stringMatching(/^toolu_/) });
    const input = use?.type === 'tool_use' ? (use.input as Record<string, unknown>) : {};
    expect(typeof input.city).toBe('string');
    expect(['c', 'f']).toContain(input.unit);
    expect(input.days).toEqual(expect.any(Number));

    const fragments: string[] = [];
    const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages, tools: [weather] });
    stream.on('inputJson', (fragment) => fragments.push(fragment));
    const final = await stream.finalMessage();
    expect(fragments.length).toBeGreaterThan(1);
    expect(JSON.parse(fragments.join(''))).toEqual(input);
    expect(final.content.find((block) => block.type === 'tool_use')).toMatchObject({ input });
  });

  it('answers text once the last turn brings the tool result', async () => {
    const first = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages,
      tools: [weather],
    });
    const use = first.content.find((block) => block.type === 'tool_use');
    if (use?.type !== 'tool_use') throw new Error('expected a tool use');
    const second = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      tools: [weather],
      messages: [
        ...messages,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content[0]?.type).toBe('text');
  });

  it('thinks first with a signature it checks when the block comes back', async () => {
    const params = {
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      messages,
    };
    const message = await client.messages.create(params);
    const thinking = message.content[0];
    expect(thinking).toMatchObject({ type: 'thinking', signature: expect.any(String) });
    if (thinking?.type !== 'thinking') throw new Error('expected thinking');
    expect(thinking.signature).toBe(thinkingSignature(thinking.thinking));

    const final = await client.messages.stream(params).finalMessage();
    expect(final.content[0]).toEqual(thinking);

    const back = (signature: string) =>
      client.messages.create({
        ...params,
        messages: [
          ...messages,
          {
            role: 'assistant',
            content: [
              { ...thinking, signature },
              { type: 'text', text: 'Hi.' },
            ],
          },
          { role: 'user', content: 'More.' },
        ],
      });
    await expect(back(thinking.signature)).resolves.toMatchObject({ type: 'message' });
    await expect(back('forged')).rejects.toMatchObject({
      status: 400,
      error: { error: { type: 'invalid_request_error' } },
    });
  });

  it('writes the cache on the first call with a breakpoint and reads it on the next', async () => {
    const cachedSystem = [
      {
        type: 'text' as const,
        text: 'A long and stable system prompt. '.repeat(40),
        cache_control: { type: 'ephemeral' as const },
      },
    ];
    const params = { model: 'claude-sonnet-4-5', max_tokens: 16, system: cachedSystem, messages };
    const total = countPrompt(params);
    const prefix = total.cacheable?.tokens ?? 0;
    expect(prefix).toBeGreaterThan(0);
    const first = await client.messages.create(params);
    expect(first.usage).toMatchObject({
      input_tokens: total.tokens - prefix,
      cache_creation_input_tokens: prefix,
      cache_read_input_tokens: 0,
    });
    const second = await client.messages.create({
      ...params,
      messages: [{ role: 'user', content: 'Another question.' }],
    });
    expect(second.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: prefix });
  });

  it('stops at a stop sequence and at max_tokens', async () => {
    const stopped = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages,
      stop_sequences: [' call'],
    });
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' call' });
    expect(stopped.content).toEqual([{ type: 'text', text: 'polymux routes every' }]);
    const cut = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 3, messages });
    expect(cut).toMatchObject({ stop_reason: 'max_tokens', usage: { output_tokens: 3 } });
  });

  it('counts tokens', async () => {
    const counted = await client.messages.countTokens({ model: 'claude-sonnet-4-5', system, messages });
    expect(counted).toEqual({ input_tokens: expectedInput });
  });

  it.each([
    [400, Anthropic.BadRequestError, 'invalid_request_error'],
    [401, Anthropic.AuthenticationError, 'authentication_error'],
    [403, Anthropic.PermissionDeniedError, 'permission_error'],
    [404, Anthropic.NotFoundError, 'not_found_error'],
    [429, Anthropic.RateLimitError, 'rate_limit_error'],
    [500, Anthropic.InternalServerError, 'api_error'],
    [529, Anthropic.APIError, 'overloaded_error'],
  ])('answers status=%i in Anthropic shape', async (status, errorClass, type) => {
    const failure = client.messages.create(
      { model: 'claude-sonnet-4-5', max_tokens: 16, messages },
      { headers: { [SCENARIO_HEADER]: `status=${status},retry-after=3` } },
    );
    await expect(failure).rejects.toBeInstanceOf(errorClass);
    await expect(failure).rejects.toMatchObject({ status, error: { type: 'error', error: { type } } });
    const raw = await fetch(`${sim.url}/scenario/status=${status},retry-after=3/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(raw.headers.get('retry-after')).toBe('3');
  });

  it('rejects invalid bodies as invalid_request_error, naming the field', async () => {
    const post = (body: unknown) =>
      fetch(`${sim.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(body),
      });
    const missing = await post({ model: 'claude-sonnet-4-5', messages });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') },
    });
    const empty = await post({
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }],
    });
    expect(empty.status).toBe(400);
    const budget = await post({
      model: 'm',
      max_tokens: 1024,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages,
    });
    expect(budget.status).toBe(400);
    const thinking = { model: 'm', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages };
    for (const [field, value] of [
      ['temperature', 0.5],
      ['top_k', 5],
      ['top_p', 0.5],
    ] as const) {
      const refused = await post({ ...thinking, [field]: value });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { message: expect.stringContaining(field) } });
    }
    expect((await post({ ...thinking, temperature: 1, top_p: 0.95 })).status).toBe(200);
    const orphan = await post({
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x' }] }],
    });
    expect(await orphan.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const notJson = await fetch(`${sim.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(await notJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('ends a stream with an error event mid-way', async () => {
    const stream = client.messages.stream(
      { model: 'claude-sonnet-4-5', max_tokens: 64, messages },
      { headers: { [SCENARIO_HEADER]: 'fail-after=4' } },
    );
    await expect(stream.finalMessage()).rejects.toMatchObject({
      error: { type: 'error', error: { type: 'overloaded_error' } },
    });
  });

  it('keeps the OpenAI routes', async () => {
    const response = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-mini', messages }),
    });
    expect((await response.json()) as unknown).toMatchObject({ object: 'chat.completion' });
  });
});
