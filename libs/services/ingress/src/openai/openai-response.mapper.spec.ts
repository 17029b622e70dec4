import type { ChatChunk, ChatResponse, Usage } from '@polymux/contracts';

import { toChatCompletion, toChatCompletionChunk, toUsageChunk } from './openai-response.mapper';

const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, reasoningTokens: 1 };
const openAiUsage = {
  prompt_tokens: 10,
  completion_tokens: 5,
  total_tokens: 15,
  prompt_tokens_details: { cached_tokens: 2 },
  completion_tokens_details: { reasoning_tokens: 1 },
};

describe('toChatCompletion', () => {
  it('maps a canonical response with text and tool calls onto OpenAI chat.completion', () => {
    const response: ChatResponse & { usage: Usage } = {
      id: 'chatcmpl-1',
      model: 'gpt-4.1-mini',
      created: 1_700_000_000,
      systemFingerprint: 'fp_1',
      usage,
      choices: [
        { index: 0, content: 'hi', finishReason: 'stop' },
        {
          index: 1,
          content: null,
          refusal: 'no',
          toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{}' }],
          finishReason: 'tool_calls',
          logprobs: { content: [] },
        },
      ],
    };
    expect(toChatCompletion(response)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-4.1-mini',
      system_fingerprint: 'fp_1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'hi', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
        {
          index: 1,
          message: {
            role: 'assistant',
            content: null,
            refusal: 'no',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
          },
          logprobs: { content: [] },
          finish_reason: 'tool_calls',
        },
      ],
      usage: openAiUsage,
    });
  });

  it('reports zero cached and reasoning tokens when the provider named none', () => {
    const response: ChatResponse & { usage: Usage } = {
      id: 'c',
      model: 'm',
      created: 1,
      choices: [],
      usage: { inputTokens: 1, outputTokens: 2 },
    };
    expect(toChatCompletion(response)).toMatchObject({
      system_fingerprint: null,
      usage: {
        total_tokens: 3,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
  });
});

describe('toChatCompletionChunk', () => {
  const chunk: ChatChunk = {
    id: 'chatcmpl-1',
    model: 'm',
    created: 1,
    choices: [
      { index: 0, role: 'assistant', content: 'he' },
      {
        index: 1,
        toolCalls: [
          { index: 0, id: 'call_1', name: 'lookup', arguments: '' },
          { index: 0, arguments: '{}' },
        ],
      },
      { index: 2, finishReason: 'stop' },
    ],
  };

  it('maps deltas, with usage null only when the caller asked for usage', () => {
    expect(toChatCompletionChunk(chunk, true)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      system_fingerprint: null,
      choices: [
        { index: 0, delta: { role: 'assistant', content: 'he' }, logprobs: null, finish_reason: null },
        {
          index: 1,
          delta: {
            tool_calls: [
              { index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } },
              { index: 0, function: { arguments: '{}' } },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
        { index: 2, delta: {}, logprobs: null, finish_reason: 'stop' },
      ],
      usage: null,
    });
    expect(toChatCompletionChunk(chunk, false)).not.toHaveProperty('usage');
  });

  it('closes with a usage chunk without choices', () => {
    expect(toUsageChunk(chunk, usage)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      system_fingerprint: null,
      choices: [],
      usage: openAiUsage,
    });
  });
});
