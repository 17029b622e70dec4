import { join } from 'node:path';

import OpenAI from 'openai';

import type { Gateway, Mode } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(120_000);

/**
 * The official SDKs against the gateway, unchanged but for the base URL and the key, in both run
 * modes and against every provider adapter: what an application migrating to Polymux relies on.
 */

/** A 1×1 PNG. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const WEATHER_TOOL: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** The models the OpenAI SDK is driven against, one per provider adapter. */
const OPENAI_SDK_TARGETS = ['gpt-4.1-mini'];

describe.each(MODES)('SDK conformance (%s mode)', (mode: Mode) => {
  let gateway: Gateway;
  let openai: OpenAI;

  beforeAll(async () => {
    gateway = await startGateway({ mode, catalogFile: join(__dirname, 'conformance.catalog.yaml'), label: 'conf' });
    openai = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  describe.each(OPENAI_SDK_TARGETS)('OpenAI SDK, Chat Completions → %s', (model) => {
    it('answers a completion with usage that matches the charge', async () => {
      const { data, response } = await openai.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'Say hello.' }] })
        .withResponse();
      expect(data.choices[0].message.content).toEqual(expect.any(String));
      expect(data.choices[0].finish_reason).toBe('stop');
      expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
      const [entry] = await gateway.charges(response.headers.get('x-request-id')!);
      expect(BigInt(entry.amountNanoUsd)).toBeLessThan(0n);
    });

    it('streams with the usage chunk last when asked for', async () => {
      const stream = await openai.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Tell me a story.' }],
      });
      let text = '';
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) {
        chunks.push(chunk);
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(text.length).toBeGreaterThan(0);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    });

    it('runs a tool call, takes the tool result and answers', async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await openai.chat.completions.create({ model, messages, tools: [WEATHER_TOOL] });
      const [call] = first.choices[0].message.tool_calls ?? [];
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      const args = JSON.parse((call as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments) as {
        city: unknown;
      };
      expect(typeof args.city).toBe('string');
      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"celsius": 21}' });
      const second = await openai.chat.completions.create({ model, messages, tools: [WEATHER_TOOL] });
      expect(second.choices[0].finish_reason).toBe('stop');
      expect(second.choices[0].message.content).toEqual(expect.any(String));
    });

    it('streams a tool call whose argument fragments assemble into JSON', async () => {
      const stream = openai.chat.completions.stream({
        model,
        tools: [WEATHER_TOOL],
        tool_choice: 'required',
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      });
      const completion = await stream.finalChatCompletion();
      const [call] = completion.choices[0].message.tool_calls ?? [];
      expect(call).toMatchObject({ function: { name: 'get_weather' } });
      expect(() => JSON.parse((call as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments)).not.toThrow();
    });

    it('takes an image', async () => {
      const completion = await openai.chat.completions.create({
        model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image_url', image_url: { url: PIXEL } },
            ],
          },
        ],
      });
      expect(completion.choices[0].message.content).toEqual(expect.any(String));
    });

    it('answers a json_schema response format with JSON that has the required properties', async () => {
      const completion = await openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'A city and its population.' }],
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'city',
            strict: true,
            schema: {
              type: 'object',
              properties: { name: { type: 'string' }, population: { type: 'integer' } },
              required: ['name', 'population'],
              additionalProperties: false,
            },
          },
        },
      });
      const parsed = JSON.parse(completion.choices[0].message.content!) as Record<string, unknown>;
      expect(typeof parsed.name).toBe('string');
      expect(Number.isInteger(parsed.population)).toBe(true);
    });
  });

  describe('OpenAI SDK errors', () => {
    it('raises AuthenticationError for a wrong key', async () => {
      const stranger = new OpenAI({ apiKey: 'pmx-wrong', baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
      await expect(
        stranger.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }),
      ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    });

    it('raises BadRequestError for a malformed body', async () => {
      await expect(
        openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [] as OpenAI.ChatCompletionMessageParam[] }),
      ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    });

    it('raises NotFoundError for an unknown model', async () => {
      await expect(
        openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
      ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });

    it('retries a 429 after the retry-after the gateway relays, then raises RateLimitError', async () => {
      const retrying = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 1 });
      const started = Date.now();
      const error = await retrying.chat.completions
        .create({ model: 'rate-limited', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('1');
      // One retry, after the one second the provider (through the gateway) asked for.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    });

    it('ends a stream that fails upstream mid-way with an error the SDK raises, not a silent cut', async () => {
      const stream = await openai.chat.completions.create({
        model: 'breaks-mid-stream',
        stream: true,
        messages: [{ role: 'user', content: 'long answer' }],
      });
      let text = '';
      const consume = async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      };
      await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
      expect(text.length).toBeGreaterThan(0);
    });
  });
});
