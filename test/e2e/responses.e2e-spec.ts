import { join } from 'node:path';

import type { Stack } from '@polymux/testing';
import { deleteNatsNamespace, startStack } from '@polymux/testing';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';

jest.setTimeout(120_000);

const BOOTSTRAP_KEY = 'pmx-e2e-bootstrap-key-0123456789abcdef';
const MODES = ['distributed', 'embedded'] as const;
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: null,
};

/** The OpenAI Responses API through the gateway, driven by the official SDK, stateless. */
describe.each(MODES)('Responses API (%s mode)', (mode) => {
  let stack: Stack;
  let client: OpenAI;
  let retaining: OpenAI;
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const namespace = `resp${mode}${process.pid}${Date.now()}`;

  const admin = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const project = async (orgId: string, name: string, retention: boolean) => {
    const { id } = await admin<{ id: string }>('POST', `/orgs/${orgId}/projects`, { name });
    if (retention) await admin('PATCH', `/projects/${id}`, { dataRetention: true });
    await admin(
      'POST',
      `/projects/${id}/credits`,
      { amountUsd: '10.00' },
      { 'idempotency-key': `${namespace}-${name}` },
    );
    const { key } = await admin<{ key: string }>('POST', `/projects/${id}/keys`, { name: 'k' });
    return new OpenAI({ apiKey: key, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
  };

  beforeAll(async () => {
    stack = await startStack({
      mode,
      bootstrapKey: BOOTSTRAP_KEY,
      env: {
        POLYMUX_CATALOG_FILE: join(__dirname, 'responses.catalog.yaml'),
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        NATS_URL: natsUrl,
        NATS_SUBJECT_PREFIX: namespace,
        REDIS_KEY_PREFIX: `${namespace}:`,
      },
    });
    const org = await admin<{ id: string }>('POST', '/orgs', { name: `e2e-${namespace}` });
    client = await project(org.id, 'zero', false);
    retaining = await project(org.id, 'retaining', true);
  });

  afterAll(async () => {
    await stack?.stop();
    if (mode === 'distributed' && !stack?.nats?.authenticated) await deleteNatsNamespace(natsUrl, namespace);
  });

  it('answers a text response with output_text and usage, store false', async () => {
    const { data, response } = await client.responses
      .create({ model: 'gpt-4.1-mini', instructions: 'Be brief.', input: 'Say hello.' })
      .withResponse();
    expect(data).toMatchObject({ object: 'response', status: 'completed', store: false, error: null });
    expect(data.id).toMatch(/^resp_/);
    expect(data.output_text.length).toBeGreaterThan(0);
    expect(data.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(data.usage?.input_tokens).toBeGreaterThan(0);
    expect(data.usage?.output_tokens).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('streams typed events in order with increasing sequence numbers, and finalResponse has usage', async () => {
    const stream = client.responses.stream({ model: 'gpt-4.1-mini', input: 'Stream a greeting.' });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.at(-1)).toBe('response.completed');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.output_text).toBe(deltas.join(''));
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
    expect(final.status).toBe('completed');
  });

  it('streams with stream: true through create as well', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1-mini', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');
  });

  it.each([false, true])(
    'runs a function call → function_call_output → answer loop (stream: %s)',
    async (streaming) => {
      const ask = {
        model: 'gpt-4.1-mini',
        input: 'Weather in Oslo?',
        tools: [weather],
        tool_choice: 'required' as const,
      };
      let first: OpenAI.Responses.Response;
      if (streaming) {
        const stream = client.responses.stream(ask);
        const kinds = new Set<string>();
        for await (const event of stream) kinds.add(event.type);
        expect([...kinds]).toEqual(
          expect.arrayContaining(['response.function_call_arguments.delta', 'response.function_call_arguments.done']),
        );
        first = await stream.finalResponse();
      } else {
        first = await client.responses.create(ask);
      }
      const call = first.output.find((item) => item.type === 'function_call');
      expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
      if (call?.type !== 'function_call') throw new Error('no function call');
      expect(() => JSON.parse(call.arguments) as unknown).not.toThrow();
      const answer = await client.responses.create({
        model: 'gpt-4.1-mini',
        input: [
          { role: 'user', content: 'Weather in Oslo?' },
          call,
          { type: 'function_call_output', call_id: call.call_id, output: '{"temperature":3}' },
        ],
        tools: [weather],
        tool_choice: 'none',
      });
      expect(answer.status).toBe('completed');
      expect(answer.output_text.length).toBeGreaterThan(0);
    },
  );

  it('accepts text.format json_schema and echoes it', async () => {
    const format = {
      type: 'json_schema' as const,
      name: 'greeting',
      schema: {
        type: 'object',
        properties: { text: { type: 'string' } },
        required: ['text'],
        additionalProperties: false,
      },
      strict: true,
    };
    const data = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Greet me.', text: { format } });
    expect(data.text?.format).toMatchObject({ type: 'json_schema', name: 'greeting', strict: true });
    expect(data.output_text.length).toBeGreaterThan(0);
  });

  it('treats store as false and names it in x-polymux-dropped', async () => {
    const { data, response } = await client.responses
      .create({ model: 'gpt-4.1-mini', input: 'hi', store: true })
      .withResponse();
    expect(data).toMatchObject({ store: false });
    expect(response.headers.get('x-polymux-dropped')?.split(',')).toContain('store');
  });

  it('refuses previous_response_id with a BadRequestError saying why, with and without retention', async () => {
    const zero = client.responses.create({ model: 'gpt-4.1-mini', input: 'again', previous_response_id: 'resp_1' });
    await expect(zero).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(zero).rejects.toMatchObject({
      status: 400,
      param: 'previous_response_id',
      message: expect.stringMatching(/zero data retention/),
    });
    const kept = retaining.responses.create({ model: 'gpt-4.1-mini', input: 'again', previous_response_id: 'resp_1' });
    await expect(kept).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/data retention enabled/) });
  });

  it('refuses built-in tools and background responses with a 400', async () => {
    await expect(
      client.responses.create({ model: 'gpt-4.1-mini', input: 'search', tools: [{ type: 'web_search' }] }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/web_search is not supported/) });
    await expect(
      client.responses.create({ model: 'gpt-4.1-mini', input: 'x', background: true }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('answers retrieving or deleting a stored response with a 404 saying none are stored', async () => {
    await expect(client.responses.retrieve('resp_1')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.delete('resp_1')).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/not stored/),
    });
  });

  it('answers a bad key with an AuthenticationError', async () => {
    const stranger = new OpenAI({ apiKey: 'pmx-not-a-key', baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
    await expect(stranger.responses.create({ model: 'gpt-4.1-mini', input: 'hi' })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    await expect(stranger.responses.retrieve('resp_1')).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('answers a malformed body with a 400 in OpenAI shape', async () => {
    const response = await fetch(`${stack.ingressUrl}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-mini', input: [{ type: 'function_call', name: 'f' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: expect.stringMatching(/^input/),
        code: 'invalid_request',
      },
    });
  });
});
