import type { ChatRequest } from '@polymux/contracts';

import { ToolNames } from '../tool-names';
import { OPENAI_TOOL_NAMES } from './openai.names';
import { reasoningEffortOf } from './openai.reasoning';
import { maxTokensFieldFor, toOpenAiRequest } from './openai.request';

const base: ChatRequest = {
  model: 'fast',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
};
const options = { model: 'gpt-4.1-mini', maxTokensField: 'max_tokens' as const };

describe('toOpenAiRequest', () => {
  it('renames the tool names and ids OpenAI refuses, everywhere they appear, and keeps the renaming', () => {
    const names = new ToolNames(OPENAI_TOOL_NAMES);
    const long = 'a'.repeat(70);
    const id = `toolu_${'x'.repeat(40)}`;
    const body = toOpenAiRequest(
      {
        ...base,
        tools: [{ name: 'files.read' }, { name: long }, { name: 'ok_tool' }],
        toolChoice: { name: 'files.read' },
        messages: [
          ...base.messages,
          { role: 'assistant', content: [], toolCalls: [{ id, name: 'files.read', arguments: '{}' }] },
          { role: 'tool', toolCallId: id, content: [{ type: 'text', text: 'done' }] },
        ],
      },
      { ...options, names },
    );
    const [renamed, shortened, kept] = body.tools?.map((tool) => tool.function.name) ?? [];
    expect(renamed).toMatch(/^files_read_[0-9a-f]{8}$/);
    expect(shortened).toHaveLength(64);
    expect(kept).toBe('ok_tool');
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: renamed } });
    const [, assistant, tool] = body.messages;
    const upstreamId = assistant?.role === 'assistant' ? assistant.tool_calls?.[0]?.id : undefined;
    expect(upstreamId).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(assistant).toMatchObject({ tool_calls: [{ function: { name: renamed } }] });
    expect(tool).toMatchObject({ role: 'tool', tool_call_id: upstreamId });
    expect([names.callerName(renamed!), names.callerName(shortened!), names.callerId(upstreamId!)]).toEqual([
      'files.read',
      long,
      id,
    ]);
  });

  it("sends a tool-call turn's reasoning back only where the dialect asks for it", () => {
    const turn: ChatRequest = {
      ...base,
      messages: [
        ...base.messages,
        {
          role: 'assistant',
          content: [{ type: 'thinking', text: 'look it up' }],
          toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'found' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'no tools here' },
            { type: 'text', text: 'ok' },
          ],
        },
      ],
    };
    const replayed = toOpenAiRequest(turn, { ...options, replayReasoning: 'reasoning_content' });
    expect(replayed.messages[1]).toMatchObject({ role: 'assistant', reasoning_content: 'look it up' });
    expect(replayed.messages[3]).toStrictEqual({ role: 'assistant', content: 'ok' });
    expect(toOpenAiRequest(turn, options).messages[1]).not.toHaveProperty('reasoning_content');
  });

  it('maps a minimal request onto the upstream model, without undefined fields', () => {
    const body = toOpenAiRequest(base, options);
    expect(body).toStrictEqual({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('maps text and image parts, names, tool calls and tool results', () => {
    const body = toOpenAiRequest(
      {
        ...base,
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'be brief' }] },
          {
            role: 'developer',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
          {
            role: 'user',
            name: 'ada',
            content: [
              { type: 'text', text: 'what is this?' },
              { type: 'image', url: 'data:image/png;base64,AAAA', detail: 'low' },
              { type: 'image', url: 'https://example.test/cat.png' },
            ],
          },
          { role: 'assistant', content: [], toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"cat"}' }] },
          { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: '{"answer":"cat"}' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }] },
        ],
      },
      options,
    );
    expect(body.messages).toStrictEqual([
      { role: 'system', content: 'be brief' },
      {
        role: 'developer',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      {
        role: 'user',
        name: 'ada',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.test/cat.png' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"answer":"cat"}' },
      { role: 'assistant', content: 'A cat.' },
    ]);
  });

  it('maps tools, tool_choice, response_format and sampling fields', () => {
    const body = toOpenAiRequest(
      {
        ...base,
        tools: [
          { name: 'lookup', description: 'find', parameters: { type: 'object' }, strict: true },
          { name: 'bare' },
        ],
        toolChoice: { name: 'lookup' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true },
        maxOutputTokens: 100,
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
        seed: 7,
        n: 2,
        logprobs: true,
        topLogprobs: 3,
        presencePenalty: 0.1,
        frequencyPenalty: 0.3,
        user: 'user-1',
      },
      { model: 'gpt-4.1', maxTokensField: 'max_completion_tokens' },
    );
    expect(body).toStrictEqual({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', description: 'find', parameters: { type: 'object' }, strict: true },
        },
        { type: 'function', function: { name: 'bare' } },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
      },
      max_completion_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      seed: 7,
      n: 2,
      logprobs: true,
      top_logprobs: 3,
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      user: 'user-1',
    });
    expect(
      toOpenAiRequest({ ...base, toolChoice: 'required', responseFormat: { type: 'json_object' } }, options),
    ).toMatchObject({
      tool_choice: 'required',
      response_format: { type: 'json_object' },
    });
  });

  it('always asks for usage when streaming', () => {
    expect(toOpenAiRequest({ ...base, stream: true, includeUsage: false }, options)).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('merges the extra fields OpenAI accepts, under the mapped ones, and drops the others', () => {
    const body = toOpenAiRequest(
      {
        ...base,
        stream: true,
        temperature: 1,
        extra: { verbosity: 'low', model: 'evil', stream_options: { chunk_size: 4 }, functions: [] },
      },
      options,
    );
    expect(body).toMatchObject({
      verbosity: 'low',
      model: 'gpt-4.1-mini',
      temperature: 1,
      stream_options: { include_usage: true },
    });
    expect(body).not.toHaveProperty('functions');
    expect(body.stream_options).toEqual({ include_usage: true });
  });
});

describe('maxTokensFieldFor', () => {
  it('uses max_completion_tokens for OpenAI itself and max_tokens for compatible servers', () => {
    expect(maxTokensFieldFor('https://api.openai.com/v1')).toBe('max_completion_tokens');
    expect(maxTokensFieldFor('http://127.0.0.1:8090/v1')).toBe('max_tokens');
  });
});

describe('maxTokensFieldFor a deployment', () => {
  it("follows the catalog's decision on any host, so a reasoning model behind a compatible server gets max_completion_tokens", () => {
    expect(maxTokensFieldFor('http://vllm.test/v1', { maxTokensField: 'max_completion_tokens' })).toBe(
      'max_completion_tokens',
    );
    expect(maxTokensFieldFor('https://api.openai.com/v1', { maxTokensField: 'max_tokens' })).toBe('max_tokens');
    expect(maxTokensFieldFor('http://vllm.test/v1', {})).toBe('max_tokens');
  });

  it('puts the limit in the field it names, and never both', () => {
    const body = toOpenAiRequest(
      { ...base, maxOutputTokens: 50 },
      { model: 'o4-mini', maxTokensField: 'max_completion_tokens' },
    );
    expect(body.max_completion_tokens).toBe(50);
    expect(body).not.toHaveProperty('max_tokens');
  });
});

describe('reasoning', () => {
  it('sends the effort as reasoning_effort', () => {
    expect(toOpenAiRequest({ ...base, reasoning: { effort: 'medium' } }, options).reasoning_effort).toBe('medium');
    expect(
      toOpenAiRequest({ ...base, reasoning: { effort: 'low', budgetTokens: 9000 } }, options).reasoning_effort,
    ).toBe('low');
  });

  it.each([
    [0, 'none'],
    [1, 'minimal'],
    [512, 'minimal'],
    [767, 'minimal'],
    [768, 'low'],
    [1024, 'low'],
    [2048, 'medium'],
    [3071, 'medium'],
    [3072, 'high'],
    [32_000, 'high'],
  ])('reads a budget of %i tokens alone as %s', (budgetTokens, effort) => {
    expect(reasoningEffortOf({ budgetTokens })).toBe(effort);
  });

  it('sends nothing when the request asks for no reasoning', () => {
    expect(toOpenAiRequest(base, options)).not.toHaveProperty('reasoning_effort');
  });
});

describe('parts OpenAI cannot take or takes differently', () => {
  it('sends documents as file parts with their filename', () => {
    const url = 'data:application/pdf;base64,JVBERi0x';
    const body = toOpenAiRequest(
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'summarise' },
              { type: 'document', url, mediaType: 'application/pdf', filename: 'r.pdf' },
            ],
          },
        ],
      },
      options,
    );
    expect(body.messages[0]?.content).toEqual([
      { type: 'text', text: 'summarise' },
      { type: 'file', file: { file_data: url, filename: 'r.pdf' } },
    ]);
  });

  it('never sends thinking blocks, whoever wrote them', () => {
    const body = toOpenAiRequest(
      {
        ...base,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', text: 'hmm', signature: 'sig' },
              { type: 'redacted_thinking', data: 'xyz' },
              { type: 'text', text: 'a' },
            ],
          },
        ],
      },
      options,
    );
    expect(body.messages[1]).toEqual({ role: 'assistant', content: 'a' });
    expect(JSON.stringify(body)).not.toMatch(/hmm|sig|xyz/);
  });

  it('sends no top_k, which Chat Completions has no slot for', () => {
    expect(toOpenAiRequest({ ...base, topK: 40 }, options)).not.toHaveProperty('top_k');
  });
});
