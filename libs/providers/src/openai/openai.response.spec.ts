import { ToolNames } from '../tool-names';
import { OPENAI_TOOL_NAMES } from './openai.names';
import { toChatChunk, toChatResponse, toFinishReason, toUsage } from './openai.response';

describe('renamed tools', () => {
  const names = new ToolNames(OPENAI_TOOL_NAMES);
  const upstreamName = names.name('files.read');
  const upstreamId = names.id('call:1');

  it("answers the caller's own tool name and id", () => {
    const response = toChatResponse(
      {
        choices: [
          {
            message: {
              content: null,
              tool_calls: [{ id: upstreamId, type: 'function', function: { name: upstreamName, arguments: '{}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
      },
      'fallback',
      names,
    );
    expect(response.choices[0]?.toolCalls).toEqual([{ id: 'call:1', name: 'files.read', arguments: '{}' }]);
  });

  it("streams the caller's own tool name and id in the call's header delta", () => {
    const chunk = toChatChunk(
      {
        choices: [
          {
            delta: { tool_calls: [{ index: 0, id: upstreamId, function: { name: upstreamName, arguments: '' } }] },
          },
        ],
      },
      'fallback',
      names,
    );
    expect(chunk.choices[0]?.toolCalls).toEqual([{ index: 0, id: 'call:1', name: 'files.read', arguments: '' }]);
  });
});

describe("a compatible server's reasoning", () => {
  it("becomes the choice's thinking, answered and streamed", () => {
    const response = toChatResponse(
      { choices: [{ message: { content: 'B', reasoning_content: 'A then B' }, finish_reason: 'stop' }] },
      'f',
    );
    expect(response.choices[0]?.reasoning).toEqual([{ type: 'thinking', text: 'A then B' }]);
    const streamed = toChatChunk({ choices: [{ delta: { reasoning: 'A' } }] }, 'f');
    expect(streamed.choices[0]?.reasoning).toEqual({ text: 'A' });
  });

  it("reads DeepSeek's cache hits as cached input", () => {
    expect(
      toUsage({ prompt_tokens: 10, completion_tokens: 2, prompt_cache_hit_tokens: 6, prompt_cache_miss_tokens: 4 }),
    ).toEqual({ inputTokens: 10, outputTokens: 2, cachedInputTokens: 6 });
  });
});

describe('toChatResponse', () => {
  it('maps content, tool calls, finish reason, logprobs and usage', () => {
    const response = toChatResponse(
      {
        id: 'chatcmpl-1',
        model: 'gpt-4.1-mini-2025-04-14',
        created: 1_700_000_000,
        choices: [
          { index: 0, message: { content: 'hello', refusal: null }, finish_reason: 'stop', logprobs: { content: [] } },
          {
            index: 1,
            message: {
              content: null,
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
            },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 4,
          total_tokens: 14,
          prompt_tokens_details: { cached_tokens: 2 },
          completion_tokens_details: { reasoning_tokens: 1 },
        },
        system_fingerprint: 'fp_1',
      },
      'fallback',
    );
    expect(response).toStrictEqual({
      id: 'chatcmpl-1',
      model: 'gpt-4.1-mini-2025-04-14',
      created: 1_700_000_000,
      choices: [
        { index: 0, content: 'hello', finishReason: 'stop', logprobs: { content: [] } },
        {
          index: 1,
          content: null,
          toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{}' }],
          finishReason: 'tool_calls',
        },
      ],
      usage: { inputTokens: 10, outputTokens: 4, cachedInputTokens: 2, reasoningTokens: 1 },
      systemFingerprint: 'fp_1',
    });
  });

  it('fills what a compatible server leaves out', () => {
    const response = toChatResponse({ choices: [{ message: { content: 'x' }, finish_reason: 'eos' }] }, 'llama-3');
    expect(response).toMatchObject({
      id: '',
      model: 'llama-3',
      // Not zero: an omitted usage is counted by ingress, never charged as nothing.
      usage: null,
      systemFingerprint: null,
    });
    expect(response.choices[0]).toEqual({ index: 0, content: 'x', finishReason: 'stop' });
  });
});

describe('toChatChunk', () => {
  it('maps role, content and finish deltas', () => {
    const chunk = toChatChunk(
      {
        id: 'c1',
        model: 'm',
        created: 1,
        choices: [
          { index: 0, delta: { role: 'assistant', content: 'Hi', refusal: null }, finish_reason: null, logprobs: null },
        ],
        usage: null,
      },
      'fallback',
    );
    expect(chunk).toStrictEqual({
      id: 'c1',
      model: 'm',
      created: 1,
      choices: [{ index: 0, role: 'assistant', content: 'Hi' }],
    });
    expect(
      toChatChunk(
        { id: 'c1', model: 'm', created: 1, choices: [{ index: 0, delta: {}, finish_reason: 'length' }] },
        'f',
      ).choices,
    ).toEqual([{ index: 0, finishReason: 'length' }]);
  });

  it('maps tool-call deltas', () => {
    const chunk = toChatChunk(
      {
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } }],
            },
          },
        ],
      },
      'm',
    );
    expect(chunk.choices[0]?.toolCalls).toEqual([{ index: 0, id: 'call_1', name: 'lookup', arguments: '' }]);
    const next = toChatChunk(
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"q"' } }] } }] },
      'm',
    );
    expect(next.choices[0]?.toolCalls).toEqual([{ index: 0, arguments: '{"q"' }]);
  });

  it('carries usage on the usage-only chunk', () => {
    const chunk = toChatChunk(
      { id: 'c1', model: 'm', created: 1, choices: [], usage: { prompt_tokens: 3, completion_tokens: 5 } },
      'm',
    );
    expect(chunk).toEqual({
      id: 'c1',
      model: 'm',
      created: 1,
      choices: [],
      usage: { inputTokens: 3, outputTokens: 5 },
    });
  });
});

describe('toChatChunk, the rest of what OpenAI streams', () => {
  it('keeps cached and reasoning tokens of a trailing usage-only chunk with empty choices', () => {
    const chunk = toChatChunk(
      {
        id: 'c1',
        choices: [],
        usage: {
          prompt_tokens: 2000,
          completion_tokens: 300,
          total_tokens: 2300,
          prompt_tokens_details: { cached_tokens: 1536 },
          completion_tokens_details: { reasoning_tokens: 256 },
        },
      },
      'o4-mini',
    );
    expect(chunk.choices).toEqual([]);
    expect(chunk.usage).toEqual({
      inputTokens: 2000,
      outputTokens: 300,
      cachedInputTokens: 1536,
      reasoningTokens: 256,
    });
  });

  it('keeps the index of parallel tool-call deltas and the logprobs of a chunk', () => {
    const logprobs = { content: [{ token: 'a', logprob: -0.1, bytes: [97], top_logprobs: [] }] };
    const chunk = toChatChunk(
      {
        id: 'c1',
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                { index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '' } },
                { index: 0, function: { arguments: '{"x":1}' } },
              ],
            },
            logprobs,
          },
        ],
      },
      'm',
    );
    expect(chunk.choices[0]).toEqual({
      index: 0,
      toolCalls: [
        { index: 1, id: 'call_b', name: 'b', arguments: '' },
        { index: 0, arguments: '{"x":1}' },
      ],
      logprobs,
    });
  });
});

describe('toFinishReason / toUsage', () => {
  it('maps legacy and unknown reasons', () => {
    expect(toFinishReason('function_call')).toBe('tool_calls');
    expect(toFinishReason('content_filter')).toBe('content_filter');
    expect(toFinishReason(null)).toBeNull();
    expect(toFinishReason('end_turn')).toBe('stop');
  });

  it('omits details the server did not report', () => {
    expect(toUsage({ prompt_tokens: 1, completion_tokens: 2, prompt_tokens_details: null })).toStrictEqual({
      inputTokens: 1,
      outputTokens: 2,
    });
  });
});
