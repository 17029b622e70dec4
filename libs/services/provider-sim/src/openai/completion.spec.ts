import { parseScenario } from '../scenario';
import type { CompletionPlan } from './completion';
import { completionBody, generatedText, planCompletion, streamEvents } from './completion';
import type { OpenAiChatRequest } from '@polymux/wire';

const ids = { id: 'chatcmpl-test', created: 1_700_000_000 };
const request = (fields: Partial<OpenAiChatRequest> = {}): OpenAiChatRequest => ({
  model: 'gpt-test',
  messages: [{ role: 'user', content: 'hello' }],
  ...fields,
});
const chunks = (plan: CompletionPlan) =>
  [...streamEvents(plan)].map((event) => (event.data === '[DONE]' ? '[DONE]' : JSON.parse(event.data)));

describe('planCompletion', () => {
  it('generates the scenario tokens with exact usage', () => {
    const plan = planCompletion(request(), parseScenario('tokens=5'), ids);
    expect(plan).toMatchObject({ tokens: 5, finishReason: 'stop', choices: 1 });
    expect(plan.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
  });

  it('stops at max_completion_tokens or max_tokens with finish_reason length', () => {
    expect(planCompletion(request({ max_completion_tokens: 3 }), parseScenario(), ids)).toMatchObject({
      tokens: 3,
      finishReason: 'length',
    });
    expect(planCompletion(request({ max_tokens: 40 }), parseScenario(), ids)).toMatchObject({
      tokens: 16,
      finishReason: 'stop',
    });
  });

  it('counts every choice when n > 1', () => {
    expect(planCompletion(request({ n: 3 }), parseScenario('tokens=4'), ids).usage.completion_tokens).toBe(12);
  });

  it('calls every tool in parallel unless tool_choice is none or names one, or parallel_tool_calls is false', () => {
    const tools = [
      { type: 'function' as const, function: { name: 'first' } },
      { type: 'function' as const, function: { name: 'second' } },
    ];
    const plan = planCompletion(request({ tools }), parseScenario(), ids);
    expect(plan).toMatchObject({ finishReason: 'tool_calls', tokens: 0, usage: { completion_tokens: 2 } });
    expect(plan.toolCalls.map((call) => [call.name, call.arguments])).toEqual([
      ['first', '{}'],
      ['second', '{}'],
    ]);
    const named = planCompletion(
      request({ tools, tool_choice: { type: 'function', function: { name: 'second' } } }),
      parseScenario(),
      ids,
    );
    expect(named.toolCalls.map((call) => call.name)).toEqual(['second']);
    const serial = planCompletion(request({ tools, parallel_tool_calls: false }), parseScenario(), ids);
    expect(serial.toolCalls.map((call) => call.name)).toEqual(['first']);
    expect(planCompletion(request({ tools, tool_choice: 'none' }), parseScenario(), ids).toolCalls).toEqual([]);
  });

  it('answers a tool result with text under auto, and calls again only when required', () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup' } }];
    const messages: OpenAiChatRequest['messages'] = [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c', content: '42' },
    ];
    expect(planCompletion(request({ tools, messages }), parseScenario('tokens=2'), ids)).toMatchObject({
      toolCalls: [],
      finishReason: 'stop',
      tokens: 2,
    });
    expect(
      planCompletion(request({ tools, messages, tool_choice: 'required' }), parseScenario(), ids).toolCalls,
    ).toHaveLength(1);
  });

  it('generates tool arguments from the tool schema, the same for the same request', () => {
    const parameters = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['c', 'f'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['city', 'unit', 'days'],
      additionalProperties: false,
    };
    const tools = [{ type: 'function' as const, function: { name: 'weather', parameters } }];
    const plan = planCompletion(request({ tools }), parseScenario(), ids);
    const args = JSON.parse(plan.toolCalls[0]?.arguments ?? 'null') as Record<string, unknown>;
    expect(Object.keys(args).sort()).toEqual(['city', 'days', 'unit']);
    expect(typeof args.city).toBe('string');
    expect(['c', 'f']).toContain(args.unit);
    expect(Number.isInteger(args.days) && (args.days as number) >= 1 && (args.days as number) <= 7).toBe(true);
    expect(planCompletion(request({ tools }), parseScenario(), ids).toolCalls).toEqual(plan.toolCalls);
    // Billed and streamed four characters to a token.
    expect(plan.usage.completion_tokens).toBe(Math.ceil((plan.toolCalls[0]?.arguments.length ?? 0) / 4));
  });

  it('answers a json_schema format with JSON that has the required properties, and json_object with an object', () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        score: { type: 'number' },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['title', 'score', 'tags'],
    };
    const body = completionBody(
      planCompletion(
        request({ response_format: { type: 'json_schema', json_schema: { name: 'review', schema, strict: true } } }),
        parseScenario(),
        ids,
      ),
    );
    const parsed = JSON.parse(body.choices[0]?.message.content ?? 'null') as Record<string, unknown>;
    expect(typeof parsed.title).toBe('string');
    expect(typeof parsed.score).toBe('number');
    expect(Array.isArray(parsed.tags)).toBe(true);
    const object = completionBody(
      planCompletion(request({ response_format: { type: 'json_object' } }), parseScenario('tokens=2'), ids),
    );
    expect(JSON.parse(object.choices[0]?.message.content ?? 'null')).toEqual({ answer: generatedText(2) });
  });

  it('reports cached prompt tokens with the cached knob, at most the whole prompt', () => {
    expect(planCompletion(request(), parseScenario('cached=3'), ids).usage.prompt_tokens_details.cached_tokens).toBe(3);
    expect(planCompletion(request(), parseScenario('cached=999'), ids).usage.prompt_tokens_details.cached_tokens).toBe(
      5,
    );
  });

  it('spends reasoning tokens on reasoning models, by effort, within max_completion_tokens', () => {
    const plan = planCompletion(request({ model: 'o4-mini' }), parseScenario('tokens=4'), ids);
    expect(plan.usage).toMatchObject({ completion_tokens: 36, completion_tokens_details: { reasoning_tokens: 32 } });
    const low = planCompletion(
      request({ model: 'gpt-5-mini', reasoning_effort: 'low' }),
      parseScenario('tokens=4'),
      ids,
    );
    expect(low.usage.completion_tokens_details.reasoning_tokens).toBe(16);
    const capped = planCompletion(request({ model: 'o3', max_completion_tokens: 34 }), parseScenario('tokens=4'), ids);
    expect(capped).toMatchObject({ tokens: 2, finishReason: 'length', usage: { completion_tokens: 34 } });
    expect(
      planCompletion(request(), parseScenario('tokens=4'), ids).usage.completion_tokens_details.reasoning_tokens,
    ).toBe(0);
    expect(planCompletion(request(), parseScenario('tokens=4,reasoning=5'), ids).usage.completion_tokens).toBe(9);
  });

  it('reports logprobs per token when asked, with top_logprobs alternatives', () => {
    const body = completionBody(
      planCompletion(request({ logprobs: true, top_logprobs: 2 }), parseScenario('tokens=2'), ids),
    );
    expect(body.choices[0]?.logprobs?.content).toEqual([
      expect.objectContaining({ token: 'polymux', top_logprobs: [expect.anything(), expect.anything()] }),
      expect.objectContaining({ token: ' routes' }),
    ]);
    expect(completionBody(planCompletion(request(), parseScenario('tokens=1'), ids)).choices[0]?.logprobs).toBeNull();
  });
});

describe('completionBody', () => {
  it('is an OpenAI chat.completion with deterministic text', () => {
    const body = completionBody(planCompletion(request(), parseScenario('tokens=3'), ids));
    expect(body).toMatchObject({
      id: 'chatcmpl-test',
      object: 'chat.completion',
      model: 'gpt-test',
      choices: [{ index: 0, message: { role: 'assistant', content: generatedText(3) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    });
    expect(generatedText(3)).toBe('polymux routes every');
  });

  it("answers the reply knob's word as the whole text, one token", () => {
    const body = completionBody(planCompletion(request(), parseScenario('reply=creative'), ids));
    expect(body).toMatchObject({
      choices: [{ message: { content: 'creative' }, finish_reason: 'stop' }],
      usage: { completion_tokens: 1 },
    });
  });
});

describe('streamEvents', () => {
  it('sends a role delta, one delta per token, the finish chunk, the usage chunk, then [DONE]', () => {
    const events = chunks(
      planCompletion(
        request({ stream: true, stream_options: { include_usage: true } }),
        parseScenario('tokens=2'),
        ids,
      ),
    );
    expect(events).toEqual([
      expect.objectContaining({
        object: 'chat.completion.chunk',
        usage: null,
        choices: [
          expect.objectContaining({ delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null }),
        ],
      }),
      expect.objectContaining({ choices: [expect.objectContaining({ delta: { content: 'polymux' } })] }),
      expect.objectContaining({ choices: [expect.objectContaining({ delta: { content: ' routes' } })] }),
      expect.objectContaining({ choices: [expect.objectContaining({ delta: {}, finish_reason: 'stop' })] }),
      expect.objectContaining({
        choices: [],
        usage: expect.objectContaining({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }),
      }),
      '[DONE]',
    ]);
  });

  it('omits usage unless stream_options.include_usage is true', () => {
    const events = chunks(planCompletion(request({ stream: true }), parseScenario('tokens=1'), ids));
    expect(events).toHaveLength(4);
    expect(events[0]).not.toHaveProperty('usage');
  });

  it('reports no usage at all in the no-usage scenario, streamed or not', () => {
    const streamed = request({ stream: true, stream_options: { include_usage: true } });
    const events = chunks(planCompletion(streamed, parseScenario('tokens=2,no-usage'), ids));
    expect(events.filter((event) => event !== '[DONE]' && 'usage' in event)).toEqual([]);
    expect(completionBody(planCompletion(request(), parseScenario('no-usage'), ids))).not.toHaveProperty('usage');
  });

  it('marks only token deltas as paced', () => {
    const events = [...streamEvents(planCompletion(request({ stream: true }), parseScenario('tokens=3'), ids))];
    expect(events.map((event) => event.token)).toEqual([false, true, true, true, false, false]);
  });

  it('streams a tool call as a header delta then an arguments delta', () => {
    const plan = planCompletion(
      request({ stream: true, tools: [{ type: 'function', function: { name: 'lookup' } }] }),
      parseScenario(),
      ids,
    );
    const events = chunks(plan);
    expect(events[0].choices[0].delta).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { index: 0, id: plan.toolCalls[0]?.id, type: 'function', function: { name: 'lookup', arguments: '' } },
      ],
    });
    expect(events[1].choices[0].delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] });
    expect(events[2].choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams parallel tool calls call by call, every delta naming its index', () => {
    const parameters = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    const plan = planCompletion(
      request({
        stream: true,
        tools: [
          { type: 'function', function: { name: 'a', parameters } },
          { type: 'function', function: { name: 'b', parameters } },
        ],
      }),
      parseScenario(),
      ids,
    );
    const deltas = chunks(plan)
      .filter((event) => event !== '[DONE]')
      .flatMap((event) =>
        event.choices.flatMap((choice: { delta: { tool_calls?: unknown[] } }) => choice.delta.tool_calls ?? []),
      );
    const assembled = new Map<number, { id?: string; name?: string; arguments: string }>();
    for (const delta of deltas as Array<{
      index: number;
      id?: string;
      function: { name?: string; arguments?: string };
    }>) {
      const call = assembled.get(delta.index) ?? { arguments: '' };
      if (delta.id) call.id = delta.id;
      if (delta.function.name) call.name = delta.function.name;
      call.arguments += delta.function.arguments ?? '';
      assembled.set(delta.index, call);
    }
    expect([...assembled.entries()].map(([index, call]) => [index, call.name, JSON.parse(call.arguments)])).toEqual([
      [0, 'a', { q: expect.any(String) }],
      [1, 'b', { q: expect.any(String) }],
    ]);
    expect(deltas.length).toBeGreaterThan(4);
    expect(assembled.get(0)?.id).not.toBe(assembled.get(1)?.id);
  });
});
