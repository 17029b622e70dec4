import { join } from 'node:path';

import type { Stack } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { startGateway } from './support/gateway';

jest.setTimeout(120_000);

/*
 * OpenAI Chat Completions through the whole gateway (HTTP → NATS → executor → simulator), driven by
 * the official SDK: parallel tool calls streamed and assembled, a runTools loop, JSON schema answers,
 * documents, logprobs, a reasoning model behind a compatible host (max_completion_tokens, reasoning
 * and cached tokens in usage), what a hop cannot carry named in x-polymux-dropped, and 400s in
 * OpenAI's shape for what Polymux cannot honour.
 */

const LOOKUP = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
  required: ['city', 'days'],
  additionalProperties: false,
};
const tools: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'weather', parameters: LOOKUP } },
  { type: 'function', function: { name: 'news', parameters: LOOKUP } },
];
const ask: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather and news in Oslo?' }];

const isLookup = (json: string): boolean => {
  const value = JSON.parse(json) as Record<string, unknown>;
  return (
    Object.keys(value).every((key) => key === 'city' || key === 'days') &&
    typeof value.city === 'string' &&
    Number.isInteger(value.days) &&
    (value.days as number) >= 1 &&
    (value.days as number) <= 7
  );
};

describe.each(['embedded', 'distributed'] as const)('OpenAI Chat Completions (%s mode)', (mode) => {
  let gateway: Gateway;
  let stack: Stack;
  let client: OpenAI;
  let apiKey: string;

  const post = (body: unknown) =>
    fetch(`${stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      catalogFile: join(__dirname, 'openai-chat.catalog.yaml'),
      label: 'e2eoachat',
    });
    stack = gateway.stack;
    apiKey = gateway.apiKey;
    client = new OpenAI({ apiKey, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  it.each([false, true])(
    'names top_k, which OpenAI cannot carry, in x-polymux-dropped (stream: %s)',
    async (stream) => {
      const response = await post({ model: 'gpt-4.1-mini', stream, top_k: 40, messages: ask });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-polymux-dropped')).toBe('top_k');
      await response.text();
      const clean = await post({ model: 'gpt-4.1-mini', stream, messages: ask });
      expect(clean.headers.get('x-polymux-dropped')).toBeNull();
      await clean.text();
    },
  );

  it('streams parallel tool calls that the SDK assembles, with arguments that satisfy their schemas', async () => {
    const stream = client.chat.completions.stream({ model: 'gpt-4.1-mini', messages: ask, tools });
    const indexes = new Set<number>();
    stream.on('chunk', (chunk) => {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) indexes.add(call.index);
    });
    const completion = await stream.finalChatCompletion();
    const calls = (completion.choices[0]?.message.tool_calls ?? []).filter((call) => call.type === 'function');
    expect(calls.map((call) => call.function.name)).toEqual(['weather', 'news']);
    expect(calls.every((call) => isLookup(call.function.arguments))).toBe(true);
    expect([...indexes]).toEqual([0, 1]);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('runs a tool loop with runTools to a text answer', async () => {
    const results: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: 'gpt-4.1-mini',
      messages: ask,
      parallel_tool_calls: false,
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'The forecast',
            parameters: LOOKUP,
            parse: (input: string) => JSON.parse(input) as Record<string, unknown>,
            function: (args: Record<string, unknown>) => {
              results.push(args);
              return { forecast: 'snow' };
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toEqual(expect.any(String));
    expect(results).toHaveLength(1);
    expect(runner.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });

  it('answers a strict json_schema format with conforming JSON, and takes a PDF as a file part', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Extract the city.' },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0xLjQK', filename: 'a.pdf' } },
          ],
        },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'lookup', schema: LOOKUP, strict: true } },
    });
    expect(isLookup(completion.choices[0]?.message.content ?? 'null')).toBe(true);
  });

  it('passes logprobs through', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: ask,
      logprobs: true,
      top_logprobs: 2,
    });
    const content = completion.choices[0]?.logprobs?.content ?? [];
    expect(content.map((entry) => entry.token).join('')).toBe(completion.choices[0]?.message.content);
    expect(content[0]?.top_logprobs).toHaveLength(2);
  });

  it('sends a reasoning model on a compatible host max_completion_tokens, and reports reasoning and cached tokens', async () => {
    // The simulator refuses max_tokens for o4-mini like OpenAI does: a 200 proves the field was rewritten.
    const completion = await client.chat.completions.create({
      model: 'o4-mini',
      messages: ask,
      max_tokens: 500,
      reasoning_effort: 'low',
    });
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(16);
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(8);
    const stream = await client.chat.completions.create({
      model: 'o4-mini',
      messages: ask,
      max_completion_tokens: 500,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 32 } },
    });
  });

  it.each([
    [
      'an uploaded file id',
      { messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }] },
      'messages.0.content.0.file.file_id',
    ],
    [
      'audio input',
      {
        messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }] }],
      },
      'messages.0.content.0.input_audio',
    ],
    ['top_logprobs without logprobs', { messages: ask, top_logprobs: 2 }, 'top_logprobs'],
  ])('refuses %s with a 400 in OpenAI shape naming the param', async (_case, body, param) => {
    const response = await post({ model: 'gpt-4.1-mini', ...body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: expect.objectContaining({ type: 'invalid_request_error', param, message: expect.any(String) }),
    });
  });
});
