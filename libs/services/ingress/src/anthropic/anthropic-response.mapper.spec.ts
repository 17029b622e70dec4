import type { ChatResponse, Choice, Usage } from '@polymux/contracts';

import { toAnthropicMessage, toAnthropicUsage, toStopReason, toToolInput } from './anthropic-response.mapper';

const usage: Usage = { inputTokens: 100, outputTokens: 20 };
const response = (choice: Partial<Choice>, fields: Partial<ChatResponse> = {}): ChatResponse & { usage: Usage } => ({
  id: 'chatcmpl-1',
  model: 'gpt-4.1-mini',
  created: 1,
  choices: [{ index: 0, content: null, finishReason: 'stop' as const, ...choice }],
  ...fields,
  usage,
});

describe('toAnthropicMessage', () => {
  it('answers a message with thinking (signed), text and tool_use blocks in that order', () => {
    const message = toAnthropicMessage(
      response({
        content: 'Let me look.',
        reasoning: [
          { type: 'thinking', text: 'hmm', signature: 'sig' },
          { type: 'redacted_thinking', data: 'enc' },
        ],
        toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }],
        finishReason: 'tool_calls',
      }),
    );
    expect(message).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4.1-mini',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'enc' },
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('never emits an empty text block and answers only choice 0', () => {
    const message = toAnthropicMessage({
      ...response({ content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '' }], finishReason: 'tool_calls' }),
      choices: [
        { index: 1, content: 'other', finishReason: 'stop' },
        { index: 0, content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '' }], finishReason: 'tool_calls' },
      ],
    });
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c', name: 'f', input: {} }]);
    expect(toAnthropicMessage(response({ content: null })).content).toEqual([]);
  });

  it('names the stop sequence that ended the message', () => {
    const message = toAnthropicMessage(response({ content: 'a', stopSequence: 'END' }));
    expect([message.stop_reason, message.stop_sequence]).toEqual(['stop_sequence', 'END']);
  });

  it('carries a refusal as text with stop_reason refusal', () => {
    const message = toAnthropicMessage(response({ refusal: 'I cannot.', finishReason: 'content_filter' }));
    expect(message.content).toEqual([{ type: 'text', text: 'I cannot.' }]);
    expect(message.stop_reason).toBe('refusal');
  });
});

describe('toStopReason', () => {
  it.each([
    ['stop', undefined, 'end_turn'],
    ['stop', 'END', 'stop_sequence'],
    ['length', undefined, 'max_tokens'],
    ['tool_calls', undefined, 'tool_use'],
    ['content_filter', undefined, 'refusal'],
    [null, undefined, 'end_turn'],
  ] as const)('maps %s (stop sequence %s) to %s', (reason, sequence, expected) => {
    expect(toStopReason(reason, sequence)).toBe(expected);
  });
});

describe('toAnthropicUsage', () => {
  it("takes cached reads and cache writes out of the input, as Anthropic's input_tokens excludes both", () => {
    expect(
      toAnthropicUsage({ inputTokens: 1000, outputTokens: 5, cachedInputTokens: 600, cacheWriteTokens: 300 }),
    ).toEqual({ input_tokens: 100, output_tokens: 5, cache_creation_input_tokens: 300, cache_read_input_tokens: 600 });
    expect(toAnthropicUsage({ inputTokens: 10, outputTokens: 1, cachedInputTokens: 50 }).input_tokens).toBe(0);
  });
});

describe('toToolInput', () => {
  it('parses object arguments and keeps anything else whole under _raw instead of throwing', () => {
    expect(toToolInput('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(toToolInput('')).toEqual({});
    expect(toToolInput('{"a":')).toEqual({ _raw: '{"a":' });
    expect(toToolInput('[1]')).toEqual({ _raw: '[1]' });
  });
});
