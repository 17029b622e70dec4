import type { ChatChunk, ChatRequest, ChoiceDelta } from '@polymux/contracts';
import { ErrorCode, countInputTokens } from '@polymux/contracts';

import { deployment } from '../call/testing/call-fixtures';
import type { SseEvent } from '../formats/inbound-format';
import { AnthropicStreamEncoder } from './anthropic-stream.encoder';

const request: ChatRequest = {
  model: 'claude-sonnet-4-5',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] }],
  stream: true,
};
const encoder = () => new AnthropicStreamEncoder(request, { requestId: 'req-1', deployment: deployment() });
const chunk = (delta: Omit<ChoiceDelta, 'index'>, fields: Partial<ChatChunk> = {}): ChatChunk => ({
  id: 'chatcmpl-1',
  model: 'gpt-4o',
  created: 1,
  choices: [{ index: 0, ...delta }],
  ...fields,
});
const usage = { inputTokens: 12, outputTokens: 7 };

/** Events as `type[:index][:delta type]`, to read a stream's shape at a glance. */
const shape = (events: SseEvent[]) =>
  events.map(({ event, data }) => {
    const record = data as { index?: number; delta?: { type?: string }; content_block?: { type: string } };
    const detail = record.content_block?.type ?? (event === 'content_block_delta' ? record.delta?.type : undefined);
    return [event, record.index, detail].filter((part) => part !== undefined).join(':');
  });
const run = (chunks: ChatChunk[]) => {
  const stream = encoder();
  return [...chunks.flatMap((next) => stream.chunk(next)), ...stream.end(usage)];
};

describe('AnthropicStreamEncoder', () => {
  it('sends message_start first, then ping, even when the first delta is a tool call', () => {
    const events = run([
      chunk({ role: 'assistant', toolCalls: [{ index: 0, id: 'call_1', name: 'weather', arguments: '' }] }),
      chunk({ toolCalls: [{ index: 0, arguments: '{"ci' }] }),
      chunk({ toolCalls: [{ index: 0, arguments: 'ty":"Paris"}' }] }),
      chunk({ finishReason: 'tool_calls' }),
    ]);
    expect(shape(events)).toEqual([
      'message_start',
      'ping',
      'content_block_start:0:tool_use',
      'content_block_delta:0:input_json_delta',
      'content_block_delta:0:input_json_delta',
      'content_block_stop:0',
      'message_delta',
      'message_stop',
    ]);
    expect(events[2].data).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 'call_1', name: 'weather', input: {} },
    });
    const fragments = events
      .filter((event) => event.event === 'content_block_delta')
      .map((event) => (event.data as { delta: { partial_json: string } }).delta.partial_json);
    expect(fragments.join('')).toBe('{"city":"Paris"}');
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'tool_use', stop_sequence: null } });
  });

  it('relays every input_json_delta fragment, parallel calls in their own blocks, interleaved ones included', () => {
    const events = run([
      chunk({ toolCalls: [{ index: 0, id: 'a', name: 'f', arguments: '{"x":' }] }),
      chunk({ toolCalls: [{ index: 1, id: 'b', name: 'g', arguments: '{"y":' }] }),
      chunk({ toolCalls: [{ index: 0, arguments: '1}' }] }),
      chunk({ toolCalls: [{ index: 1, arguments: '2}' }] }),
    ]);
    const json = (index: number) =>
      events
        .filter((event) => event.event === 'content_block_delta' && (event.data as { index: number }).index === index)
        .map((event) => (event.data as { delta: { partial_json: string } }).delta.partial_json)
        .join('');
    expect([json(0), json(1)]).toEqual(['{"x":1}', '{"y":2}']);
    expect(shape(events).filter((type) => type.startsWith('content_block_start'))).toEqual([
      'content_block_start:0:tool_use',
      'content_block_start:1:tool_use',
    ]);
  });

  it("puts the provider's up-front usage in message_start, else the gateway's count, never 0/0", () => {
    const reported = encoder().chunk(
      chunk({ content: 'Hi' }, { usage: { inputTokens: 50, outputTokens: 1, cachedInputTokens: 30 } }),
    );
    expect(reported[0].data).toMatchObject({
      type: 'message_start',
      message: {
        id: 'msg_chatcmpl-1',
        role: 'assistant',
        content: [],
        usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 30, cache_creation_input_tokens: 0 },
      },
    });
    const counted = encoder().chunk(chunk({ content: 'Hi' }));
    expect(counted[0].data).toMatchObject({
      message: { usage: { input_tokens: countInputTokens(request, 'gpt-4o'), output_tokens: 0 } },
    });
    expect(
      (counted[0].data as { message: { usage: { input_tokens: number } } }).message.usage.input_tokens,
    ).toBeGreaterThan(0);
  });

  it('keeps usage that arrives only at the end, cumulative in message_delta', () => {
    const events = run([chunk({ content: 'Hi' }), chunk({ finishReason: 'stop' })]);
    expect(events.at(-2)).toEqual({
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { input_tokens: 12, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
    expect(events.at(-1)).toEqual({ event: 'message_stop', data: { type: 'message_stop' } });
  });

  it('frames thinking with its signature, redacted thinking, then text, in their own blocks', () => {
    const events = run([
      chunk({ reasoning: { text: 'Let me ' } }),
      chunk({ reasoning: { text: 'think.' } }),
      chunk({ reasoning: { signature: 'sig-1' } }),
      chunk({ reasoning: { redacted: 'enc' } }),
      chunk({ reasoning: { text: 'Again.' } }),
      chunk({ content: 'Answer' }),
      chunk({ content: '.', finishReason: 'stop', stopSequence: 'END' }),
    ]);
    expect(shape(events)).toEqual([
      'message_start',
      'ping',
      'content_block_start:0:thinking',
      'content_block_delta:0:thinking_delta',
      'content_block_delta:0:thinking_delta',
      'content_block_delta:0:signature_delta',
      'content_block_stop:0',
      'content_block_start:1:redacted_thinking',
      'content_block_stop:1',
      'content_block_start:2:thinking',
      'content_block_delta:2:thinking_delta',
      'content_block_stop:2',
      'content_block_start:3:text',
      'content_block_delta:3:text_delta',
      'content_block_delta:3:text_delta',
      'content_block_stop:3',
      'message_delta',
      'message_stop',
    ]);
    expect(events[5].data).toMatchObject({ delta: { type: 'signature_delta', signature: 'sig-1' } });
    expect(events[7].data).toMatchObject({ content_block: { type: 'redacted_thinking', data: 'enc' } });
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' } });
  });

  it('never opens a block for an empty delta, and ignores other choices', () => {
    const events = run([
      chunk({ role: 'assistant', content: '' }),
      { ...chunk({}), choices: [{ index: 1, content: 'second choice' }] },
      chunk({ finishReason: 'length' }),
    ]);
    expect(shape(events)).toEqual(['message_start', 'ping', 'message_delta', 'message_stop']);
    expect(events[2].data).toMatchObject({ delta: { stop_reason: 'max_tokens' } });
  });

  it("ends a failed stream with Anthropic's error event alone", () => {
    const stream = encoder();
    stream.chunk(chunk({ content: 'partial' }));
    expect(stream.error({ code: ErrorCode.UpstreamOverloaded, message: 'busy' })).toEqual([
      { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } } },
    ]);
  });
});
