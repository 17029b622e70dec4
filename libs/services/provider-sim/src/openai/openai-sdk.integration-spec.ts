import OpenAI from 'openai';

import type { ProviderSim } from '../provider-sim.server';
import { SCENARIO_HEADER, startProviderSim } from '../provider-sim.server';

/*
 * The simulator's OpenAI format as the official SDK and its helpers (stream assembly, runTools,
 * error classes) see it. JSON answers are checked against their schema by hand: zod is the only
 * validator in the repository, and a schema check is what a caller of the real API relies on.
 */

const WEATHER = {
  type: 'object',
  properties: {
    city: { type: 'string', minLength: 1 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    hourly: { type: 'boolean' },
  },
  required: ['city', 'unit', 'days'],
  additionalProperties: false,
};
const TIME = {
  type: 'object',
  properties: { zone: { type: 'string' } },
  required: ['zone'],
  additionalProperties: false,
};
const tools: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'weather', parameters: WEATHER, strict: true } },
  { type: 'function', function: { name: 'time', parameters: TIME } },
];
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather and time in Paris?' }];

/** Whether `value` is what `WEATHER` describes: the required keys, their types and bounds, no other key. */
const isWeather = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null) return false;
  const args = value as Record<string, unknown>;
  const known = new Set(Object.keys(WEATHER.properties));
  return (
    Object.keys(args).every((key) => known.has(key)) &&
    typeof args.city === 'string' &&
    args.city.length > 0 &&
    (args.unit === 'celsius' || args.unit === 'fahrenheit') &&
    Number.isInteger(args.days) &&
    (args.days as number) >= 1 &&
    (args.days as number) <= 7 &&
    (args.hourly === undefined || typeof args.hourly === 'boolean')
  );
};

describe('provider-sim OpenAI format through the official SDK', () => {
  let sim: ProviderSim;
  let client: OpenAI;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-sim', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  it('calls every tool in parallel with arguments that satisfy its schema', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const completion = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages, tools, seed });
      const [choice] = completion.choices;
      expect(choice?.finish_reason).toBe('tool_calls');
      const calls = (choice?.message.tool_calls ?? []).filter((call) => call.type === 'function');
      expect(calls.map((call) => call.function.name)).toEqual(['weather', 'time']);
      expect(isWeather(JSON.parse(calls[0]?.function.arguments ?? 'null'))).toBe(true);
      const time = JSON.parse(calls[1]?.function.arguments ?? 'null') as Record<string, unknown>;
      expect(typeof time.zone).toBe('string');
      expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    }
  });

  it('streams parallel tool calls that the SDK assembles into the same calls', async () => {
    const stream = client.chat.completions.stream({ model: 'gpt-4.1-mini', messages, tools, seed: 9 });
    let argumentDeltas = 0;
    stream.on('chunk', (chunk) => {
      argumentDeltas += chunk.choices[0]?.delta.tool_calls?.filter((call) => call.function?.arguments).length ?? 0;
    });
    const streamed = await stream.finalChatCompletion();
    const plain = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages, tools, seed: 9 });
    const calls = (completion: OpenAI.Chat.ChatCompletion) =>
      (completion.choices[0]?.message.tool_calls ?? []).map((call) =>
        call.type === 'function' ? [call.function.name, call.function.arguments] : [],
      );
    expect(calls(streamed)).toEqual(calls(plain));
    expect(calls(streamed)).toHaveLength(2);
    expect(argumentDeltas).toBeGreaterThan(2);
    expect(streamed.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('runs a whole tool loop with runTools: calls, results, then a text answer', async () => {
    const seen: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: 'gpt-4.1-mini',
      messages,
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'The forecast of a city',
            parameters: WEATHER,
            parse: (input: string) => JSON.parse(input) as Record<string, unknown>,
            function: (args: Record<string, unknown>) => {
              seen.push(args);
              return { forecast: 'sunny' };
            },
          },
        },
      ],
    });
    const content = await runner.finalContent();
    expect(seen).toHaveLength(1);
    expect(isWeather(seen[0])).toBe(true);
    expect(content).toMatch(/^polymux routes/);
    expect(runner.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });

  it('answers a json_schema format with JSON that has the required properties, streamed or not', async () => {
    const response_format = {
      type: 'json_schema' as const,
      json_schema: { name: 'weather', schema: WEATHER, strict: true },
    };
    const completion = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages, response_format });
    expect(isWeather(JSON.parse(completion.choices[0]?.message.content ?? 'null'))).toBe(true);
    const stream = client.chat.completions.stream({ model: 'gpt-4.1-mini', messages, response_format });
    const streamed = await stream.finalChatCompletion();
    expect(streamed.choices[0]?.message.content).toBe(completion.choices[0]?.message.content);
    const object = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages,
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(object.choices[0]?.message.content ?? 'null')).toEqual({ answer: expect.any(String) });
  });

  it('accepts image inputs, links and data URLs', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: 'https://example.test/cat.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(85);
  });

  it('reports cached prompt tokens with the cached knob, streamed in the usage-only chunk too', async () => {
    const headers = { [SCENARIO_HEADER]: 'cached=4' };
    const completion = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages }, { headers });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
    const stream = await client.chat.completions.create(
      { model: 'gpt-4.1-mini', messages, stream: true, stream_options: { include_usage: true } },
      { headers },
    );
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens_details: { cached_tokens: 4 } } });
  });

  it('refuses max_tokens for reasoning models like OpenAI, and bills their reasoning tokens', async () => {
    const refused = await client.chat.completions.create({ model: 'o4-mini', messages, max_tokens: 100 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused).toMatchObject({ status: 400, param: 'max_tokens', code: 'unsupported_parameter' });
    const completion = await client.chat.completions.create({
      model: 'gpt-5-mini',
      messages,
      max_completion_tokens: 100,
      reasoning_effort: 'high',
    });
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(64);
    expect(completion.usage?.completion_tokens).toBe(64 + 16);
  });

  it('returns logprobs when asked', async () => {
    const completion = await client.chat.completions.create(
      { model: 'gpt-4.1-mini', messages, logprobs: true, top_logprobs: 1 },
      { headers: { [SCENARIO_HEADER]: 'tokens=3' } },
    );
    expect(completion.choices[0]?.logprobs?.content?.map((entry) => entry.token).join('')).toBe(
      completion.choices[0]?.message.content,
    );
  });

  it.each([
    ['status=429,retry-after=3', OpenAI.RateLimitError, 429],
    ['status=500', OpenAI.InternalServerError, 500],
    ['status=503', OpenAI.InternalServerError, 503],
    ['status=529', OpenAI.InternalServerError, 529],
  ])('fails with %s as the SDK error class', async (scenario, errorClass, status) => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4.1-mini', messages }, { headers: { [SCENARIO_HEADER]: scenario } })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ status });
    if (status === 429) expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('3');
  });

  it('times out on a hang and fails a stream cut mid-way', async () => {
    const hang = await client.chat.completions
      .create({ model: 'gpt-4.1-mini', messages }, { headers: { [SCENARIO_HEADER]: 'hang' }, timeout: 200 })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    // The SDK gives up on its own timeout: a connection error, the class its retries act on.
    expect(hang).toBeInstanceOf(OpenAI.APIConnectionError);
    const stream = client.chat.completions.stream(
      { model: 'gpt-4.1-mini', messages },
      { headers: { [SCENARIO_HEADER]: 'disconnect-after=3' } },
    );
    await expect(stream.finalChatCompletion()).rejects.toThrow();
  });
});
