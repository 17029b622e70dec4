import type { ChatChunk } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { ToolNames } from '../tool-names';
import { ANTHROPIC_TOOL_NAMES } from './anthropic.request';
import { AnthropicStreamDecoder } from './anthropic.stream';
import type { AnthropicStreamEvent } from '@polymux/wire';

const start = (usage: Record<string, number>): AnthropicStreamEvent => ({
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage,
  },
});

const decodeAll = (events: AnthropicStreamEvent[], names = new ToolNames(ANTHROPIC_TOOL_NAMES)): ChatChunk[] => {
  const decoder = new AnthropicStreamDecoder({ names, jsonTool: false }, 'fallback');
  const chunks = events.flatMap((event) => decoder.decode(event, JSON.stringify(event)) ?? []);
  expect(decoder.stopped).toBe(true);
  return chunks;
};

describe('AnthropicStreamDecoder', () => {
  it('starts with the role and the real input usage even when the first block is a tool use', () => {
    const names = new ToolNames(ANTHROPIC_TOOL_NAMES);
    const upstream = names.name('files.read');
    const chunks = decodeAll(
      [
        start({ input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 100, cache_creation_input_tokens: 0 }),
        { type: 'ping' },
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 'toolu_1', name: upstream, input: {} },
        },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"pa' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'th":"/a"' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '}' } },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 'toolu_2', name: 'other', input: {} },
        },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{}' } },
        { type: 'content_block_stop', index: 1 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { output_tokens: 30 },
        },
        { type: 'message_stop' },
      ],
      names,
    );
    expect(chunks[0]).toMatchObject({
      id: 'msg_1',
      choices: [{ index: 0, role: 'assistant' }],
      usage: { inputTokens: 112, outputTokens: 1, cachedInputTokens: 100 },
    });
    const calls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.toolCalls ?? []));
    expect(calls).toEqual([
      { index: 0, id: 'toolu_1', name: 'files.read', arguments: '' },
      { index: 0, arguments: '{"pa' },
      { index: 0, arguments: 'th":"/a"' },
      { index: 0, arguments: '}' },
      { index: 1, id: 'toolu_2', name: 'other', arguments: '' },
      { index: 1, arguments: '{}' },
    ]);
    expect(chunks.at(-1)).toMatchObject({
      choices: [{ index: 0, finishReason: 'tool_calls' }],
      usage: { inputTokens: 112, outputTokens: 30, cachedInputTokens: 100, cacheWriteTokens: 0 },
    });
  });

  it('streams text and reasoning deltas, never empty ones, and the stop sequence', () => {
    const chunks = decodeAll([
      start({ input_tokens: 5, output_tokens: 1 }),
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'enc' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_stop', index: 2 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' },
        usage: { input_tokens: 5, output_tokens: 9 },
      },
      { type: 'message_stop' },
    ]);
    expect(chunks.map((chunk) => chunk.choices[0])).toEqual([
      { index: 0, role: 'assistant' },
      { index: 0, reasoning: { text: 'Hmm' } },
      { index: 0, reasoning: { signature: 'sig' } },
      { index: 0, reasoning: { redacted: 'enc' } },
      { index: 0, content: 'Hi' },
      { index: 0, finishReason: 'stop', stopSequence: 'END' },
    ]);
    expect(chunks.at(-1)?.usage).toEqual({ inputTokens: 5, outputTokens: 9 });
  });

  it('throws an error event by its type, overloaded as UpstreamOverloaded, never with its message', () => {
    const decoder = new AnthropicStreamDecoder({ names: new ToolNames(ANTHROPIC_TOOL_NAMES), jsonTool: false }, 'f');
    decoder.decode(start({ input_tokens: 1, output_tokens: 1 }), '');
    const raw = JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'zdr-marker you sent' } });
    let caught: unknown;
    try {
      decoder.decode({ type: 'error', error: { type: 'overloaded_error', message: 'x' } }, raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolymuxException);
    expect((caught as PolymuxException).code).toBe(ErrorCode.UpstreamOverloaded);
    expect((caught as PolymuxException).message).not.toContain('zdr-marker');
  });

  it('refuses a content block before message_start', () => {
    const decoder = new AnthropicStreamDecoder({ names: new ToolNames(ANTHROPIC_TOOL_NAMES), jsonTool: false }, 'f');
    expect(() =>
      decoder.decode({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, ''),
    ).toThrow(PolymuxException);
  });
});
