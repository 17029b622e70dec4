import { parseScenario } from '../scenario';
import type { CompletionPlan } from './completion';
import { completionBody, generatedText, planCompletion, streamEvents } from './completion';
import type { ChatCompletionRequest } from './openai.schema';

const ids = { id: 'chatcmpl-test', created: 1_700_000_000 };
const request = (fields: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
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

  it('calls the first tool unless tool_choice is none or names another', () => {
    const tools = [
      { type: 'function' as const, function: { name: 'first' } },
      { type: 'function' as const, function: { name: 'second' } },
    ];
    expect(planCompletion(request({ tools }), parseScenario(), ids)).toMatchObject({
      toolCall: { name: 'first', arguments: '{}' },
      finishReason: 'tool_calls',
      tokens: 0,
      usage: { completion_tokens: 1 },
    });
    expect(
      planCompletion(
        request({ tools, tool_choice: { type: 'function', function: { name: 'second' } } }),
        parseScenario(),
        ids,
      ).toolCall?.name,
    ).toBe('second');
    expect(planCompletion(request({ tools, tool_choice: 'none' }), parseScenario(), ids).toolCall).toBeUndefined();
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
      tool_calls: [{ index: 0, id: plan.toolCall?.id, type: 'function', function: { name: 'lookup', arguments: '' } }],
    });
    expect(events[1].choices[0].delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] });
    expect(events[2].choices[0].finish_reason).toBe('tool_calls');
  });
});
