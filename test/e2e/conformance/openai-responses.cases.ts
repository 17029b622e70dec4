import OpenAI from 'openai';

import type { SuiteRef } from './suite';
import { ADAPTERS, CITY_SCHEMA, MODELS, MULTIMODAL_MODELS, expectCharged, expectCity } from './suite';

const WEATHER: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

const usageOf = (response: OpenAI.Responses.Response) => ({
  input: response.usage?.input_tokens ?? 0,
  output: response.usage?.output_tokens ?? 0,
});

/** The OpenAI SDK's Responses API against each adapter. */
export const openAiResponsesCases = (suite: SuiteRef): void => {
  describe.each(MODELS)('OpenAI SDK, Responses → %s', (model) => {
    it('names the reasoning of an earlier turn that no hop carries (unsigned, or to Chat Completions)', async () => {
      const { data, response } = await suite()
        .openai.responses.create({
          model,
          input: [
            { role: 'user', content: 'Why use a gateway?' },
            { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'One place for keys.' }] },
            { role: 'assistant', content: 'One place for keys and costs.' },
            { role: 'user', content: 'And the costs?' },
          ],
        })
        .withResponse();
      expect(data.output_text).toMatch(/\S/);
      expect(response.headers.get('x-polymux-dropped')?.split(',')).toContain('thinking');
    });

    it('creates a response with usage equal to the charge', async () => {
      const { data, response } = await suite()
        .openai.responses.create({ model, instructions: 'Be brief.', input: 'Say hello.' })
        .withResponse();
      expect(data).toMatchObject({ object: 'response', status: 'completed', error: null });
      expect(data.output_text).toMatch(/\S/);
      expect(data.usage!.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);
      await expectCharged(suite(), response.headers.get('x-request-id')!, model, usageOf(data));
    });

    it('streams typed events, and finalResponse has the text and usage equal to the charge', async () => {
      const stream = suite().openai.responses.stream({ model, input: 'Stream a greeting.' });
      const deltas: string[] = [];
      const types: string[] = [];
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') deltas.push(event.delta);
      }
      const final = await stream.finalResponse();
      expect(types[0]).toBe('response.created');
      expect(types.at(-1)).toBe('response.completed');
      expect(deltas.length).toBeGreaterThan(1);
      expect(final.output_text).toBe(deltas.join(''));
      expect(final.status).toBe('completed');
      await expectCharged(suite(), suite().lastRequestId(), model, usageOf(final));
    });

    it.each([false, true])(
      'runs a function call → function_call_output → answer loop (stream: %s)',
      async (streamed) => {
        const ask = (params: OpenAI.Responses.ResponseCreateParamsNonStreaming & { stream?: undefined }) =>
          streamed ? suite().openai.responses.stream(params).finalResponse() : suite().openai.responses.create(params);
        const first = await ask({ model, input: 'Weather in Oslo?', tools: [WEATHER] });
        const call = first.output.find((item) => item.type === 'function_call') as
          OpenAI.Responses.ResponseFunctionToolCall | undefined;
        expect(call).toMatchObject({ name: 'get_weather', call_id: expect.any(String) });
        const args = JSON.parse(call!.arguments) as { city: unknown };
        expect(typeof args.city).toBe('string');
        expect(first.usage!.output_tokens).toBeGreaterThan(0);
        const answer = await ask({
          model,
          tools: [WEATHER],
          input: [
            { role: 'user', content: 'Weather in Oslo?' },
            call!,
            { type: 'function_call_output', call_id: call!.call_id, output: '{"celsius": 3}' },
          ],
        });
        expect(answer.status).toBe('completed');
        expect(answer.output.some((item) => item.type === 'function_call')).toBe(false);
        expect(answer.output_text).toMatch(/\S/);
        await expectCharged(suite(), suite().lastRequestId(), model, usageOf(answer));
      },
    );
  });

  describe.each(MULTIMODAL_MODELS)('OpenAI SDK, Responses, JSON → %s', (model) => {
    it('answers text.format json_schema with JSON of that schema', async () => {
      const data = await suite().openai.responses.create({
        model,
        input: 'A city and its population.',
        text: { format: { type: 'json_schema', name: 'city', strict: true, schema: CITY_SCHEMA } },
      });
      expect(data.text?.format).toMatchObject({ type: 'json_schema', name: 'city' });
      expect(data.output.some((item) => item.type === 'function_call')).toBe(false);
      expectCity(data.output_text);
    });
  });
  // Each adapter's failing deployments through Responses (Chat Completions' cases also prove the SDK's retry).
  describe.each(ADAPTERS)('OpenAI SDK errors, Responses, from the $adapter adapter', ({ prefix }) => {
    const fail = (what: string) =>
      suite()
        .openai.responses.create({ model: `${prefix}-${what}`, input: 'x' })
        .catch((caught: unknown) => caught);

    it('raises RateLimitError with the relayed retry-after for a 429', async () => {
      const error = await fail('rate-limited');
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('1');
    });

    it('raises InternalServerError with 503 for an overloaded provider, and for a 500', async () => {
      const overloaded = await fail('overloaded');
      expect(overloaded).toBeInstanceOf(OpenAI.InternalServerError);
      expect(overloaded).toMatchObject({ status: 503 });
      const error = await fail('server-error');
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect((error as InstanceType<typeof OpenAI.InternalServerError>).status).toBeGreaterThanOrEqual(500);
    });

    it('ends a stream that fails upstream mid-way with an error the SDK raises, not response.completed', async () => {
      const stream = suite().openai.responses.stream({ model: `${prefix}-breaks-mid-stream`, input: 'long answer' });
      const types: string[] = [];
      const consume = async () => {
        for await (const event of stream) types.push(event.type);
      };
      await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
      expect(types).toContain('response.output_text.delta');
      expect(types).not.toContain('response.completed');
    });
  });
};
