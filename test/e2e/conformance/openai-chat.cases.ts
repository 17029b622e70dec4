import OpenAI from 'openai';

import type { SuiteRef } from './suite';
import { ADAPTERS, CITY_SCHEMA, GPT, MODELS, MULTIMODAL_MODELS, expectCharged, expectCity } from './suite';

const WEATHER_TOOL: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

type FunctionCall = OpenAI.ChatCompletionMessageFunctionToolCall;

const usageOf = (usage: OpenAI.CompletionUsage | undefined | null) => ({
  input: usage?.prompt_tokens ?? 0,
  output: usage?.completion_tokens ?? 0,
});

/** The OpenAI SDK's Chat Completions against each adapter: what most applications call. */
export const openAiChatCases = (suite: SuiteRef): void => {
  describe.each(MODELS)('OpenAI SDK, Chat Completions → %s', (model) => {
    it('answers a completion with usage equal to the charge', async () => {
      const { data, response } = await suite()
        .openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello.' }] })
        .withResponse();
      expect(data.object).toBe('chat.completion');
      expect(data.choices[0].message.content).toMatch(/\S/);
      expect(data.choices[0].finish_reason).toBe('stop');
      expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
      await expectCharged(suite(), response.headers.get('x-request-id')!, model, usageOf(data.usage));
    });

    it('streams with the usage chunk last when asked for, equal to the charge', async () => {
      const { data: stream, response } = await suite()
        .openai.chat.completions.create({
          model,
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'Tell me a story.' }],
        })
        .withResponse();
      let text = '';
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) {
        chunks.push(chunk);
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(text).toMatch(/\S/);
      expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual([
        'stop',
      ]);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(chunks.slice(0, -1).every((chunk) => !chunk.usage)).toBe(true);
      await expectCharged(suite(), response.headers.get('x-request-id')!, model, usageOf(last.usage));
    });

    it.each([false, true])('runs a tool call → tool result → answer loop (stream: %s)', async (streamed) => {
      const ask = (messages: OpenAI.ChatCompletionMessageParam[]) =>
        streamed
          ? suite()
              .openai.chat.completions.stream({
                model,
                messages,
                tools: [WEATHER_TOOL],
                stream_options: { include_usage: true },
              })
              .finalChatCompletion()
          : suite().openai.chat.completions.create({ model, messages, tools: [WEATHER_TOOL] });
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await ask(messages);
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      const calls = (first.choices[0].message.tool_calls ?? []) as FunctionCall[];
      expect(calls).toEqual([
        expect.objectContaining({ type: 'function', id: expect.any(String), function: expect.anything() }),
      ]);
      expect(calls[0].function.name).toBe('get_weather');
      const args = JSON.parse(calls[0].function.arguments) as { city: unknown };
      expect(typeof args.city).toBe('string');
      expect(first.usage!.completion_tokens).toBeGreaterThan(0);
      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: calls[0].id, content: '{"celsius": 21}' });
      const second = await ask(messages);
      expect(second.choices[0].finish_reason).toBe('stop');
      expect(second.choices[0].message.content).toMatch(/\S/);
      expect(second.choices[0].message.tool_calls ?? []).toEqual([]);
      await expectCharged(suite(), suite().lastRequestId(), model, usageOf(second.usage));
    });
  });

  describe.each(MULTIMODAL_MODELS)('OpenAI SDK, Chat Completions, JSON → %s', (model) => {
    it('answers a json_schema response format with JSON of that schema', async () => {
      const completion = await suite().openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'A city and its population.' }],
        response_format: { type: 'json_schema', json_schema: { name: 'city', strict: true, schema: CITY_SCHEMA } },
      });
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.choices[0].message.tool_calls ?? []).toEqual([]);
      expectCity(completion.choices[0].message.content);
    });
  });

  describe('OpenAI SDK errors, Chat Completions', () => {
    it('raises AuthenticationError for a wrong key', async () => {
      const { client } = suite().openaiWith({ apiKey: 'pmx-wrong' });
      await expect(
        client.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'hi' }] }),
      ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    });

    it('raises BadRequestError for a malformed body', async () => {
      await expect(
        suite().openai.chat.completions.create({ model: GPT, messages: [] as OpenAI.ChatCompletionMessageParam[] }),
      ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    });

    it('raises NotFoundError for an unknown model', async () => {
      await expect(
        suite().openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
      ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });

    describe.each(ADAPTERS)('from the $adapter adapter', ({ prefix }) => {
      it('retries a 429 after the relayed retry-after, then raises RateLimitError', async () => {
        const { client, attempts } = suite().openaiWith({ maxRetries: 1 });
        const started = Date.now();
        const error = await client.chat.completions
          .create({ model: `${prefix}-rate-limited`, messages: [{ role: 'user', content: 'hi' }] })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(OpenAI.RateLimitError);
        expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('1');
        // One retry, after the one second the provider (through the gateway) asked for.
        expect(attempts()).toBe(2);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      });

      it('raises InternalServerError with 503 for an overloaded (529) provider', async () => {
        const error = await suite()
          .openai.chat.completions.create({ model: `${prefix}-overloaded`, messages: [{ role: 'user', content: 'x' }] })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(OpenAI.InternalServerError);
        expect(error).toMatchObject({ status: 503 });
      });

      it('raises InternalServerError for a provider answering 500', async () => {
        const error = await suite()
          .openai.chat.completions.create({
            model: `${prefix}-server-error`,
            messages: [{ role: 'user', content: 'x' }],
          })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(OpenAI.InternalServerError);
        expect((error as InstanceType<typeof OpenAI.InternalServerError>).status).toBeGreaterThanOrEqual(500);
      });

      it('ends a stream that fails upstream mid-way with an error the SDK raises, not a silent cut', async () => {
        const stream = await suite().openai.chat.completions.create({
          model: `${prefix}-breaks-mid-stream`,
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
};
