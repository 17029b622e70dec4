import type { ChatChunk, ChatRequest, ChoiceDelta, Deployment } from '@polymux/contracts';

import type { SseEvent, StreamContext } from '../formats/inbound-format';
import { chatCompletions } from './chat-completions.format';

const request = (includeUsage: boolean): ChatRequest => ({ model: 'm', messages: [], stream: true, includeUsage });
const context: StreamContext = { requestId: 'req-1', deployment: { id: 'd', provider: 'openai' } as Deployment };
const chunk = (...choices: ChoiceDelta[]): ChatChunk => ({ id: 'c-1', model: 'm', created: 1, choices });
const data = (events: SseEvent[]) => events.map((event) => event.data as Record<string, unknown>);

describe('chatCompletions stream encoder', () => {
  it('frames parallel tool calls split across chunks with their index, per choice', () => {
    const encoder = chatCompletions.streamEncoder(request(false), context);
    const events = [
      chunk({ index: 0, role: 'assistant', toolCalls: [{ index: 0, id: 'call_a', name: 'a', arguments: '' }] }),
      chunk({ index: 0, toolCalls: [{ index: 1, id: 'call_b', name: 'b', arguments: '{"x"' }] }),
      chunk({ index: 0, toolCalls: [{ index: 0, arguments: '{}' }] }),
      chunk({ index: 0, toolCalls: [{ index: 1, arguments: ':1}' }] }),
      chunk({ index: 0, finishReason: 'tool_calls' }),
    ].flatMap((each) => data(encoder.chunk(each)));
    const calls = events.flatMap((event) => {
      const [choice] = event.choices as Array<{ delta: { tool_calls?: unknown[] } }>;
      return choice?.delta.tool_calls ?? [];
    });
    expect(calls).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '' } },
      { index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{"x"' } },
      { index: 0, function: { arguments: '{}' } },
      { index: 1, function: { arguments: ':1}' } },
    ]);
    expect((events.at(-1)?.choices as Array<{ finish_reason: string }>)[0]?.finish_reason).toBe('tool_calls');
    expect(events.every((event) => !('usage' in event))).toBe(true);
  });

  it('drops reasoning deltas, which Chat Completions has no field for, but counts their tokens in usage', () => {
    const encoder = chatCompletions.streamEncoder(request(true), context);
    expect(encoder.chunk(chunk({ index: 0, reasoning: { text: 'thinking…' } }))).toEqual([]);
    expect(encoder.chunk(chunk({ index: 0, reasoning: { signature: 'sig' } }, { index: 1, content: 'hi' }))).toEqual([
      { data: expect.objectContaining({ choices: [expect.objectContaining({ index: 1, delta: { content: 'hi' } })] }) },
    ]);
    const closing = data(encoder.end({ inputTokens: 5, outputTokens: 9, reasoningTokens: 7, cachedInputTokens: 2 }));
    expect(closing[0]).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 5,
        completion_tokens: 9,
        total_tokens: 14,
        prompt_tokens_details: { cached_tokens: 2 },
        completion_tokens_details: { reasoning_tokens: 7 },
      },
    });
    expect(closing[1]).toBe('[DONE]');
  });

  it('gives each choice of n its own finish_reason and sends usage: null on content chunks when asked for usage', () => {
    const encoder = chatCompletions.streamEncoder(request(true), context);
    const [event] = data(
      encoder.chunk(chunk({ index: 0, finishReason: 'stop' }, { index: 1, finishReason: 'length' })),
    );
    expect(event).toMatchObject({
      usage: null,
      choices: [
        { index: 0, finish_reason: 'stop' },
        { index: 1, finish_reason: 'length' },
      ],
    });
  });
});
