import type { ChatRequest } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { ToolNames } from '../tool-names';
import { ANTHROPIC_TOOL_NAMES, JSON_TOOL, toAnthropicRequest } from './anthropic.request';

const options = { model: 'claude-sonnet-4-5', defaultMaxTokens: 64_000 };
const base: ChatRequest = { model: 'smart', messages: [], stream: false };
const text = (value: string) => ({ type: 'text' as const, text: value });
const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const PDF = 'data:application/pdf;base64,JVBERi0xLjQ=';

describe('toAnthropicRequest', () => {
  it("sends a temperature above Anthropic's 1 (OpenAI callers may ask for up to 2) as 1, and lower ones as they are", () => {
    const user = [{ role: 'user' as const, content: [text('Hi')] }];
    expect(toAnthropicRequest({ ...base, messages: user, temperature: 1.5 }, options).body.temperature).toBe(1);
    expect(toAnthropicRequest({ ...base, messages: user, temperature: 0.7 }, options).body.temperature).toBe(0.7);
    expect(toAnthropicRequest({ ...base, messages: user }, options).body).not.toHaveProperty('temperature');
  });

  it('hoists system and developer messages into system blocks with their cache breakpoints', () => {
    const { body } = toAnthropicRequest(
      {
        ...base,
        messages: [
          { role: 'system', content: [{ ...text('Be terse.'), cacheControl: { type: 'ephemeral' } }] },
          { role: 'user', content: [text('Hi')] },
          { role: 'developer', content: [text('Use metric units.')] },
        ],
      },
      options,
    );
    expect(body.system).toEqual([
      { type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Use metric units.' },
    ]);
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    expect(body.max_tokens).toBe(64_000);
  });

  it('maps tool calls, merges parallel tool results into one user turn, keeps images inside them and error flags', () => {
    const { body } = toAnthropicRequest(
      {
        ...base,
        messages: [
          { role: 'user', content: [text('Weather in Paris and Rome?')] },
          {
            role: 'assistant',
            content: [],
            toolCalls: [
              { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'call_2', name: 'get_weather', arguments: '' },
            ],
          },
          { role: 'tool', toolCallId: 'call_1', content: [text('sunny'), { type: 'image', url: PNG }] },
          { role: 'tool', toolCallId: 'call_2', content: [], isError: true },
          { role: 'user', content: [text('Thanks')] },
        ],
      },
      options,
    );
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'call_1',
            content: [
              { type: 'text', text: 'sunny' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
          { type: 'tool_result', tool_use_id: 'call_2', is_error: true },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('refuses tool-call arguments that are not a JSON object with a clear InvalidRequest', () => {
    for (const args of ['{"city":', '[1]']) {
      const request: ChatRequest = {
        ...base,
        messages: [{ role: 'assistant', content: [], toolCalls: [{ id: 'c', name: 't', arguments: args }] }],
      };
      let caught: unknown;
      try {
        toAnthropicRequest(request, options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PolymuxException);
      expect((caught as PolymuxException).code).toBe(ErrorCode.InvalidRequest);
      expect((caught as PolymuxException).message).toContain('tool call 0 of message 0');
    }
  });

  it('sends thinking back only with its signature, reasoning first, and never empty texts', () => {
    const { body } = toAnthropicRequest(
      {
        ...base,
        messages: [
          { role: 'user', content: [text('Q'), text('')] },
          {
            role: 'assistant',
            content: [
              text('Answer.'),
              { type: 'thinking', text: 'from another provider' },
              { type: 'thinking', text: 'mine', signature: 'sig' },
              { type: 'redacted_thinking', data: 'enc' },
            ],
          },
          { role: 'assistant', content: [{ type: 'thinking', text: 'unsigned only' }] },
        ],
      },
      options,
    );
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Q' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'mine', signature: 'sig' },
          { type: 'redacted_thinking', data: 'enc' },
          { type: 'text', text: 'Answer.' },
        ],
      },
    ]);
  });

  it('maps images and documents by source kind', () => {
    const { body } = toAnthropicRequest(
      {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', url: 'https://example.com/cat.jpg', cacheControl: { type: 'ephemeral' } },
              { type: 'document', url: PDF, mediaType: 'application/pdf', filename: 'report.pdf' },
              { type: 'document', url: 'https://example.com/a.pdf', mediaType: 'application/pdf', title: 'A' },
              { type: 'document', url: 'data:text/plain;base64,aGVsbG8=', mediaType: 'text/plain' },
            ],
          },
        ],
      },
      options,
    );
    expect(body.messages[0]?.content).toEqual([
      {
        type: 'image',
        source: { type: 'url', url: 'https://example.com/cat.jpg' },
        cache_control: { type: 'ephemeral' },
      },
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQ=' },
        title: 'report.pdf',
      },
      { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' }, title: 'A' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } },
    ]);
  });

  it('maps tools, choices, sampling, stop, user and thinking budgets', () => {
    const { body } = toAnthropicRequest(
      {
        ...base,
        messages: [{ role: 'user', content: [text('Q')] }],
        tools: [
          { name: 'lookup', description: 'd', parameters: { type: 'object' }, cacheControl: { type: 'ephemeral' } },
        ],
        toolChoice: 'required',
        parallelToolCalls: false,
        maxOutputTokens: 4_000,
        temperature: 0.5,
        topP: 0.9,
        topK: 40,
        stop: ['END'],
        user: 'u-1',
        reasoning: { effort: 'high' },
        stream: true,
      },
      options,
    );
    expect(body).toMatchObject({
      max_tokens: 4_000,
      tools: [
        { name: 'lookup', description: 'd', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      // `high` asks 24 576 tokens, kept below max_tokens.
      thinking: { type: 'enabled', budget_tokens: 3_999 },
      stream: true,
    });
    const none = toAnthropicRequest(
      { ...base, reasoning: { effort: 'none' }, toolChoice: 'none', tools: [{ name: 't' }] },
      options,
    );
    expect(none.body.thinking).toBeUndefined();
    expect(none.body.tool_choice).toEqual({ type: 'none' });
    const named = toAnthropicRequest({ ...base, tools: [{ name: 't' }], toolChoice: { name: 't' } }, options);
    expect(named.body.tool_choice).toEqual({ type: 'tool', name: 't' });
    expect(toAnthropicRequest({ ...base, reasoning: { budgetTokens: 2_000 } }, options).body.thinking).toEqual({
      type: 'enabled',
      budget_tokens: 2_000,
    });
    expect(
      toAnthropicRequest({ ...base, maxOutputTokens: 500, reasoning: { budgetTokens: 2_000 } }, options).body.thinking,
    ).toBeUndefined();
  });

  it('renames tool names and ids Anthropic rejects, the same way throughout the call', () => {
    const long = `a${'b'.repeat(70)}`;
    const { body, names } = toAnthropicRequest(
      {
        ...base,
        tools: [{ name: 'files.read' }, { name: long }],
        toolChoice: { name: 'files.read' },
        messages: [
          { role: 'assistant', content: [], toolCalls: [{ id: 'call:1', name: 'files.read', arguments: '{}' }] },
          { role: 'tool', toolCallId: 'call:1', content: [text('x')] },
        ],
      },
      options,
    );
    const [renamed, shortened] = body.tools?.map((tool) => tool.name) ?? [];
    expect(renamed).toMatch(/^files_read_[0-9a-f]{8}$/);
    expect(shortened).toHaveLength(64);
    expect(body.tool_choice).toEqual({ type: 'tool', name: renamed });
    const use = body.messages[0]?.content[0];
    const result = body.messages[1]?.content[0];
    const useId = typeof use === 'object' && use.type === 'tool_use' ? use.id : '';
    expect(use).toMatchObject({ type: 'tool_use', name: renamed, id: expect.stringMatching(/^[a-zA-Z0-9_-]+$/) });
    expect(result).toMatchObject({
      type: 'tool_result',
      tool_use_id: useId,
    });
    expect(names.callerName(renamed ?? '')).toBe('files.read');
    expect(names.callerName(shortened ?? '')).toBe(long);
    expect(names.callerId(useId)).toBe('call:1');
    expect(new ToolNames(ANTHROPIC_TOOL_NAMES).name('valid_name')).toBe('valid_name');
  });

  it('emulates a JSON schema response format with a forced tool, offered only under thinking', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const json: ChatRequest = { ...base, responseFormat: { type: 'json_schema', name: 'answer', schema } };
    const forced = toAnthropicRequest(json, options);
    expect(forced.jsonTool).toBe(true);
    expect(forced.body.tools).toEqual([
      { name: JSON_TOOL, description: expect.any(String), input_schema: { ...schema, type: 'object' } },
    ]);
    expect(forced.body.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL });
    expect(toAnthropicRequest({ ...json, reasoning: { budgetTokens: 2_000 } }, options).body.tool_choice).toEqual({
      type: 'auto',
    });
    expect(toAnthropicRequest({ ...base, responseFormat: { type: 'text' } }, options).jsonTool).toBe(false);
  });

  it('passes only the fields Anthropic accepts from extra, and the beta list never in the body', () => {
    const { body } = toAnthropicRequest(
      { ...base, extra: { anthropic_beta: ['pdfs-2024-09-25'], logit_bias: { 1: 2 } } },
      options,
    );
    expect(body).not.toHaveProperty('anthropic_beta');
    expect(body).not.toHaveProperty('logit_bias');
  });
});
