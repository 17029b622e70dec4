import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import { promptTokens } from './openai/prompt-tokens';
import type { ProviderSim } from './provider-sim.server';
import { SCENARIO_HEADER, startProviderSim } from './provider-sim.server';

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Say something about gateways.' },
];
const expectedPromptTokens = promptTokens(messages);

describe('provider-sim over HTTP', () => {
  let sim: ProviderSim;
  let client: OpenAI;

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-sim', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  describe('with the official openai SDK', () => {
    it('answers a non-streaming chat completion with exact usage', async () => {
      const completion = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages });
      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe('gpt-4.1-mini');
      expect(completion.choices[0]?.message.content?.split(' ')).toHaveLength(16);
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.usage).toMatchObject({ prompt_tokens: expectedPromptTokens, completion_tokens: 16 });
    });

    it('streams one content delta per completion token, then usage', async () => {
      const stream = await client.chat.completions.create(
        { model: 'gpt-4.1-mini', messages, stream: true, stream_options: { include_usage: true } },
        { headers: { [SCENARIO_HEADER]: 'tokens=7' } },
      );
      const deltas: string[] = [];
      let usage: OpenAI.CompletionUsage | null | undefined;
      let finishReason: string | null | undefined;
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice?.delta.content) deltas.push(choice.delta.content);
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(deltas).toHaveLength(7);
      expect(finishReason).toBe('stop');
      expect(usage).toMatchObject({
        prompt_tokens: expectedPromptTokens,
        completion_tokens: 7,
        total_tokens: expectedPromptTokens + 7,
      });
    });

    it('answers a tool call when the request has tools', async () => {
      const tools = [
        {
          type: 'function' as const,
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ];
      const completion = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages, tools });
      const call = completion.choices[0]?.message.tool_calls?.[0];
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{}' });

      const stream = client.chat.completions.stream({ model: 'gpt-4.1-mini', messages, tools });
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
        id: expect.stringMatching(/^call_/),
        function: { name: 'get_weather', arguments: '{}' },
      });
    });

    it('lists models and answers embeddings in base64 and float', async () => {
      const models = await client.models.list();
      expect(models.data.map((model) => model.id)).toContain('gpt-4.1-mini');

      const base64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
      expect(base64.data).toHaveLength(2);
      expect(base64.data[0]?.embedding).toHaveLength(1536);
      // 'alpha' is ceil(5 / 4) = 2 tokens, 'beta' ceil(4 / 4) = 1.
      expect(base64.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
      const float = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: 'alpha',
        encoding_format: 'float',
      });
      expect(float.data[0]!.embedding).toEqual(base64.data[0]!.embedding);
      expect(Math.hypot(...float.data[0]!.embedding)).toBeCloseTo(1, 5);
      const small = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', dimensions: 8 });
      expect(small.data[0]!.embedding).toHaveLength(8);
    });

    it('reports a forced 429 with retry-after as a RateLimitError', async () => {
      const failure = await client.chat.completions
        .create({ model: 'gpt-4.1-mini', messages }, { headers: { [SCENARIO_HEADER]: 'status=429,retry-after=2' } })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
      expect((failure as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('2');
      expect((failure as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    });

    it('takes the scenario from a /scenario/<scenario>/v1 base URL', async () => {
      const failing = new OpenAI({ baseURL: `${sim.url}/scenario/status=503/v1`, apiKey: 'sk-sim', maxRetries: 0 });
      const failure = await failing.chat.completions
        .create({ model: 'gpt-4.1-mini', messages })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    });

    it('fails a stream whose connection is cut after the configured number of events', async () => {
      const stream = await client.chat.completions.create(
        { model: 'gpt-4.1-mini', messages, stream: true },
        { headers: { [SCENARIO_HEADER]: 'disconnect-after=3' } },
      );
      let received = 0;
      const consume = async () => {
        for await (const chunk of stream) received += chunk.choices.length;
      };
      await expect(consume()).rejects.toThrow();
      expect(received).toBe(3);
    });
  });

  describe('knobs', () => {
    it('waits `latency` ms before the headers and paces streamed tokens at `rate`', async () => {
      const startedAt = performance.now();
      const latency = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages }), {
        [SCENARIO_HEADER]: 'latency=60',
      });
      expect(latency.status).toBe(200);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(55);

      const pacedAt = performance.now();
      const paced = await post(
        '/scenario/tokens=5,rate=100/v1/chat/completions',
        JSON.stringify({ model: 'm', messages, stream: true }),
      );
      const text = await paced.text();
      expect(performance.now() - pacedAt).toBeGreaterThanOrEqual(45);
      expect(text.match(/"content":"[^"]+"/g)).toHaveLength(5);
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('never answers a hanging request and notices when the client leaves', async () => {
      const before = { ...sim.stats };
      const abort = new AbortController();
      const request = fetch(`${sim.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SCENARIO_HEADER]: 'hang' },
        body: JSON.stringify({ model: 'm', messages }),
        signal: abort.signal,
      }).catch((error: unknown) => error);
      await pollUntil(
        () => sim.stats.inFlight,
        (inFlight) => inFlight === before.inFlight + 1,
      );
      abort.abort();
      expect(await request).toMatchObject({ name: 'AbortError' });
      await pollUntil(
        () => sim.stats.clientAborts,
        (aborts) => aborts === before.clientAborts + 1,
      );
      expect(sim.stats.inFlight).toBe(before.inFlight);
    });
  });

  describe('malformed input', () => {
    it.each([
      ['invalid JSON', '{"model":', {}, 400, null],
      ['missing messages', '{"model":"m"}', {}, 400, 'messages'],
      ['empty messages', '{"model":"m","messages":[]}', {}, 400, 'messages'],
      ['a bad role', '{"model":"m","messages":[{"role":"robot","content":"x"}]}', {}, 400, 'messages.0.role'],
      [
        'a bad scenario',
        '{"model":"m","messages":[{"role":"user","content":"x"}]}',
        { [SCENARIO_HEADER]: 'warp=9' },
        400,
        SCENARIO_HEADER,
      ],
    ])('answers %s with an OpenAI error', async (_case, body, headers, status, param) => {
      const response = await post('/v1/chat/completions', body, headers);
      expect(response.status).toBe(status);
      const payload = (await response.json()) as { error: Record<string, unknown> };
      expect(payload.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param, code: null });
    });

    it('answers an unknown route with a 404 OpenAI error', async () => {
      const response = await fetch(`${sim.url}/v1/nothing-here`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
        'Invalid URL (GET /v1/nothing-here)',
      );
    });
  });
});
