import { ToolNames } from '../tool-names';
import { ANTHROPIC_TOOL_NAMES, JSON_TOOL } from './anthropic.request';
import { toChatResponse, toFinishReason, toUsage } from './anthropic.response';
import type { AnthropicResponse } from '@polymux/wire';

const message = (overrides: Partial<AnthropicResponse>): AnthropicResponse => ({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 5 },
  ...overrides,
});
const plain = { names: new ToolNames(ANTHROPIC_TOOL_NAMES), jsonTool: false };

describe('toChatResponse', () => {
  it('joins texts, maps tool uses with their caller names and keeps signed reasoning', () => {
    const names = new ToolNames(ANTHROPIC_TOOL_NAMES);
    const upstreamName = names.name('files.read');
    const response = toChatResponse(
      message({
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'redacted_thinking', data: 'enc' },
          { type: 'text', text: 'Let me ' },
          { type: 'text', text: 'look.' },
          { type: 'tool_use', id: 'toolu_1', name: upstreamName, input: { path: '/a' } },
        ],
        stop_reason: 'tool_use',
      }),
      { names, jsonTool: false },
      'fallback',
    );
    expect(response).toMatchObject({ id: 'msg_1', model: 'claude-sonnet-4-5-20250929', systemFingerprint: null });
    expect(response.choices).toEqual([
      {
        index: 0,
        content: 'Let me look.',
        toolCalls: [{ id: 'toolu_1', name: 'files.read', arguments: '{"path":"/a"}' }],
        reasoning: [
          { type: 'thinking', text: 'hmm', signature: 'sig' },
          { type: 'redacted_thinking', data: 'enc' },
        ],
        finishReason: 'tool_calls',
      },
    ]);
  });

  it('answers a tool-only message with null content and a stop sequence by name', () => {
    const tool = toChatResponse(
      message({ content: [{ type: 'tool_use', id: 't', name: 'x', input: {} }], stop_reason: 'tool_use' }),
      plain,
      'f',
    );
    expect(tool.choices[0]?.content).toBeNull();
    const stopped = toChatResponse(
      message({ content: [{ type: 'text', text: 'a' }], stop_reason: 'stop_sequence', stop_sequence: 'END' }),
      plain,
      'f',
    );
    expect(stopped.choices[0]).toMatchObject({ finishReason: 'stop', stopSequence: 'END' });
  });

  it('reads the JSON tool back as the content', () => {
    const response = toChatResponse(
      message({ content: [{ type: 'tool_use', id: 't', name: JSON_TOOL, input: { a: 1 } }], stop_reason: 'tool_use' }),
      { names: new ToolNames(ANTHROPIC_TOOL_NAMES), jsonTool: true },
      'f',
    );
    expect(response.choices[0]).toEqual({ index: 0, content: '{"a":1}', finishReason: 'stop' });
  });
});

describe('toUsage', () => {
  it('adds cached reads and writes to the input, as OpenAI counts it', () => {
    expect(
      toUsage({ input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 }),
    ).toEqual({ inputTokens: 130, outputTokens: 3, cachedInputTokens: 100, cacheWriteTokens: 20 });
    expect(toUsage({ input_tokens: 10, output_tokens: 3 })).toEqual({ inputTokens: 10, outputTokens: 3 });
  });
});

describe('toFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['something_new', 'stop'],
  ])('maps %s to %s', (reason, expected) => {
    expect(toFinishReason(reason)).toBe(expected);
  });
});
