import type { ChatCompletionBody } from './chat-completion.schema';
import { parseChatCompletionBody } from './chat-completion.schema';
import { fromChatCompletionBody } from './openai-request.mapper';

const map = (body: Record<string, unknown>) => fromChatCompletionBody(parseChatCompletionBody(body));

describe('fromChatCompletionBody', () => {
  it('maps every message role and content shape onto the canonical model', () => {
    const request = map({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Be terse.', name: 'rules' },
        { role: 'developer', content: [{ type: 'text', text: 'Dev.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
        },
        { role: 'tool', content: '42', tool_call_id: 'call_1' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Be terse.' }], name: 'rules' },
      { role: 'developer', content: [{ type: 'text', text: 'Dev.' }], name: undefined },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', url: 'https://example.com/a.png', detail: 'low' },
        ],
        name: undefined,
      },
      {
        role: 'assistant',
        content: [],
        name: undefined,
        toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":1}' }],
      },
      { role: 'tool', content: [{ type: 'text', text: '42' }], toolCallId: 'call_1' },
    ]);
  });

  it('maps sampling, tools and formats, turning nulls into absent values', () => {
    const request = map({
      model: 'auto',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' }, strict: null } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: null,
      top_p: 0.5,
      stop: 'END',
      seed: 7,
      n: null,
      presence_penalty: 1,
      user: 'user-1',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(request).toMatchObject({
      model: 'auto',
      tools: [{ name: 'lookup', parameters: { type: 'object' }, strict: undefined }],
      toolChoice: { name: 'lookup' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
      maxOutputTokens: 20,
      temperature: undefined,
      topP: 0.5,
      stop: ['END'],
      seed: 7,
      n: undefined,
      presencePenalty: 1,
      user: 'user-1',
      stream: true,
      includeUsage: true,
      extra: undefined,
    });
    expect(map({ model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: 'none' })).toMatchObject({
      toolChoice: 'none',
      stream: false,
      includeUsage: false,
    });
  });

  it('carries unknown fields, metadata and store in extra, for the passthrough rules to decide', () => {
    const request = map({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      store: true,
      metadata: { team: 'search' },
      reasoning_effort: 'low',
    });
    expect(request.extra).toEqual({ store: true, metadata: { team: 'search' }, reasoning_effort: 'low' });
  });

  it('accepts the bodies the official SDK sends', () => {
    const body: ChatCompletionBody = parseChatCompletionBody({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'hello' }],
      stream: false,
    });
    expect(fromChatCompletionBody(body).model).toBe('gpt-4.1-mini');
  });
});
