import Anthropic from '@anthropic-ai/sdk';

import type { SuiteRef } from './suite';
import { ADAPTERS, ALWAYS_THINKING_MODELS, CLAUDE, MODELS, THINKING_MODELS, expectCharged } from './suite';

const WEATHER: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const usageOf = (message: Anthropic.Message) => ({
  input: message.usage.input_tokens,
  output: message.usage.output_tokens,
});

const textOf = (message: Anthropic.Message): string =>
  message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');

/** An answer's content without tools: the text, after the thinking of a model that always thinks. */
const answerBlocks = (model: string) => [
  ...(ALWAYS_THINKING_MODELS.includes(model)
    ? [{ type: 'thinking', thinking: expect.stringMatching(/\S/), signature: '' }]
    : []),
  { type: 'text', text: expect.stringMatching(/\S/) },
];

/** No empty text block, ever: Anthropic refuses them when sent back. */
const expectNoEmptyText = (message: Anthropic.Message): void =>
  expect(message.content.filter((block) => block.type === 'text' && block.text === '')).toEqual([]);

/** The Anthropic SDK's Messages API against each adapter (an Anthropic caller reaching gpt included). */
export const anthropicMessagesCases = (suite: SuiteRef): void => {
  describe.each(MODELS)('Anthropic SDK, Messages → %s', (model) => {
    it('creates a message with usage equal to the charge', async () => {
      const { data, response } = await suite()
        .anthropic.messages.create({
          model,
          max_tokens: 256,
          system: 'You are terse.',
          messages: [{ role: 'user', content: 'Say hello.' }],
        })
        .withResponse();
      expect(data).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn' });
      expect(data.content).toEqual(answerBlocks(model));
      expect(response.headers.get('request-id')).toBe(response.headers.get('x-request-id'));
      await expectCharged(suite(), response.headers.get('request-id')!, model, usageOf(data));
    });

    it('streams with messages.stream, and finalMessage has the text and usage equal to the charge', async () => {
      const stream = suite().anthropic.messages.stream({
        model,
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Tell me about NATS.' }],
      });
      const types: string[] = [];
      let text = '';
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      }
      const message = await stream.finalMessage();
      expect(types[0]).toBe('message_start');
      expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
      expect(textOf(message)).toBe(text);
      expect(text).toMatch(/\S/);
      expect(message.stop_reason).toBe('end_turn');
      await expectCharged(suite(), stream.request_id!, model, usageOf(message));
    });

    it.each([false, true])('runs a tool_use → tool_result → answer loop (stream: %s)', async (streamed) => {
      const ask = (params: Anthropic.MessageCreateParamsNonStreaming) =>
        streamed ? suite().anthropic.messages.stream(params).finalMessage() : suite().anthropic.messages.create(params);
      const question: Anthropic.MessageParam = { role: 'user', content: 'What is the weather in Paris?' };
      const first = await ask({ model, max_tokens: 256, tools: [WEATHER], messages: [question] });
      expect(first.stop_reason).toBe('tool_use');
      expectNoEmptyText(first);
      const toolUse = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
      expect(toolUse).toMatchObject({ name: 'get_weather', id: expect.any(String) });
      expect(typeof (toolUse!.input as { city?: unknown }).city).toBe('string');
      const answer = await ask({
        model,
        max_tokens: 256,
        tools: [WEATHER],
        messages: [
          question,
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.id, content: 'Sunny, 24°C' }] },
        ],
      });
      expect(answer.stop_reason).toBe('end_turn');
      expect(answer.content).toEqual(answerBlocks(model));
      await expectCharged(suite(), suite().lastRequestId(), model, usageOf(answer));
    });

    it('counts tokens, more for a longer request', async () => {
      const short = await suite().anthropic.messages.countTokens({
        model,
        messages: [{ role: 'user', content: 'Hello' }],
      });
      const long = await suite().anthropic.messages.countTokens({
        model,
        system: 'You are a helpful assistant that answers in French.',
        tools: [WEATHER],
        messages: [{ role: 'user', content: 'Hello, how is the weather in Paris today?' }],
      });
      expect(short.input_tokens).toBeGreaterThan(0);
      expect(long.input_tokens).toBeGreaterThan(short.input_tokens);
    });
  });

  describe.each(THINKING_MODELS)('Anthropic SDK, thinking → %s', (thinker) => {
    const thinking = { type: 'enabled', budget_tokens: 1_024 } as const;
    const question: Anthropic.MessageParam = { role: 'user', content: 'Why use a gateway?' };

    it.each([false, true])(
      'returns a signed thinking block that a second turn sends back (stream: %s)',
      async (streamed) => {
        const params = { model: thinker, max_tokens: 2_048, thinking, messages: [question] };
        const first = streamed
          ? await suite().anthropic.messages.stream(params).finalMessage()
          : await suite().anthropic.messages.create(params);
        const [reasoning, answer] = first.content;
        expect(reasoning).toMatchObject({ type: 'thinking', thinking: expect.stringMatching(/\S/) });
        expect((reasoning as Anthropic.ThinkingBlock).signature).toMatch(/\S/);
        expect(answer).toMatchObject({ type: 'text', text: expect.stringMatching(/\S/) });
        const second = await suite().anthropic.messages.create({
          ...params,
          messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: 'Go on.' }],
        });
        expect(second.stop_reason).toBe('end_turn');
        expect(textOf(second)).toMatch(/\S/);
      },
    );

    it('refuses a thinking block sent back with an altered signature, as Anthropic does', async () => {
      const first = await suite().anthropic.messages.create({
        model: thinker,
        max_tokens: 2_048,
        thinking,
        messages: [question],
      });
      const altered = first.content.map((block) =>
        block.type === 'thinking' ? { ...block, signature: `x${block.signature}` } : block,
      );
      await expect(
        suite().anthropic.messages.create({
          model: thinker,
          max_tokens: 2_048,
          thinking,
          messages: [question, { role: 'assistant', content: altered }, { role: 'user', content: 'Go on.' }],
        }),
      ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    });
  });

  describe('Anthropic SDK errors', () => {
    const hi: Anthropic.MessageParam[] = [{ role: 'user', content: 'hi' }];

    it('raises AuthenticationError for a wrong key', async () => {
      const { client } = suite().anthropicWith({ apiKey: 'pmx-wrong' });
      const error = await client.messages
        .create({ model: CLAUDE, max_tokens: 8, messages: hi })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(error).toMatchObject({ type: 'authentication_error' });
    });

    it('raises BadRequestError for a malformed body', async () => {
      const error = await suite()
        .anthropic.messages.create({ model: CLAUDE, messages: hi } as Anthropic.MessageCreateParamsNonStreaming)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(error).toMatchObject({ type: 'invalid_request_error' });
    });

    it('raises NotFoundError for an unknown model', async () => {
      const error = await suite()
        .anthropic.messages.create({ model: 'no-such-model', max_tokens: 8, messages: hi })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.NotFoundError);
      expect(error).toMatchObject({ type: 'not_found_error' });
    });

    describe.each(ADAPTERS)('from the $adapter adapter', ({ prefix }) => {
      it('retries a 429 after the relayed retry-after, then raises RateLimitError', async () => {
        const { client, attempts } = suite().anthropicWith({ maxRetries: 1 });
        const started = Date.now();
        const error = await client.messages
          .create({ model: `${prefix}-rate-limited`, max_tokens: 8, messages: hi })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(Anthropic.RateLimitError);
        expect(error).toMatchObject({ type: 'rate_limit_error' });
        expect((error as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('1');
        expect(attempts()).toBe(2);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      });

      it('raises OverloadedError (529 overloaded_error) for an overloaded provider', async () => {
        const error = await suite()
          .anthropic.messages.create({ model: `${prefix}-overloaded`, max_tokens: 8, messages: hi })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(Anthropic.OverloadedError);
        expect(error).toMatchObject({ status: 529, type: 'overloaded_error' });
      });

      it('raises InternalServerError for a provider answering 500', async () => {
        const error = await suite()
          .anthropic.messages.create({ model: `${prefix}-server-error`, max_tokens: 8, messages: hi })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(Anthropic.InternalServerError);
        expect(error).toMatchObject({ type: 'api_error' });
      });

      it('turns an upstream failure mid-stream into an error event the SDK raises', async () => {
        const stream = suite().anthropic.messages.stream({
          model: `${prefix}-breaks-mid-stream`,
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
        expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
          type: 'error',
          error: { type: expect.stringMatching(/^(api_error|overloaded_error)$/) },
        });
      });
    });
  });
};
