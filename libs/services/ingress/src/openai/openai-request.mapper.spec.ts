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
      verbosity: 'low',
    });
    expect(request.extra).toEqual({ store: true, metadata: { team: 'search' }, verbosity: 'low' });
  });

  it('accepts the bodies the official SDK sends', () => {
    const body: ChatCompletionBody = parseChatCompletionBody({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'hello' }],
      stream: false,
    });
    expect(fromChatCompletionBody(body).model).toBe('gpt-4.1-mini');
  });

  it('maps an inline file to a document part with its media type and filename', () => {
    const url = 'data:application/pdf;base64,JVBERi0xLjQK';
    const request = map({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: url, filename: 'a.pdf' } }] }],
    });
    expect(request.messages[0]?.content).toEqual([
      { type: 'document', url, mediaType: 'application/pdf', filename: 'a.pdf' },
    ]);
  });

  it('keeps data: image URLs as they are', () => {
    const url = 'data:image/png;base64,iVBORw0KGgo=';
    const request = map({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
    });
    expect(request.messages[0]?.content).toEqual([{ type: 'image', url, detail: undefined }]);
  });

  it('sends an earlier refusal back as what the assistant said', () => {
    const request = map({
      model: 'm',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
        { role: 'assistant', content: null, refusal: 'Still no.' },
      ],
    });
    expect(request.messages.slice(1).map((message) => message.content)).toEqual([
      [{ type: 'text', text: 'No.' }],
      [{ type: 'text', text: 'Still no.' }],
    ]);
  });

  it('maps reasoning_effort, top_k and the sampling fields onto canonical slots, not extra', () => {
    const request = map({
      model: 'o4-mini',
      messages: [{ role: 'user', content: 'x' }],
      reasoning_effort: 'high',
      top_k: 40,
      seed: 3,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 2,
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
      parallel_tool_calls: false,
      user: 'u-1',
    });
    expect(request).toMatchObject({
      reasoning: { effort: 'high' },
      topK: 40,
      seed: 3,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      logprobs: true,
      topLogprobs: 2,
      n: 2,
      stream: true,
      includeUsage: true,
      parallelToolCalls: false,
      user: 'u-1',
    });
    expect(request.extra).toBeUndefined();
  });

  it('lets max_completion_tokens win over max_tokens when both are given', () => {
    const both = map({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 10,
      max_completion_tokens: 20,
    });
    expect(both.maxOutputTokens).toBe(20);
    expect(map({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 10 }).maxOutputTokens).toBe(10);
  });

  it('maps named, required and none tool choices and a strict json_schema format', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    expect(map({ ...base, tool_choice: { type: 'function', function: { name: 'f' } } }).toolChoice).toEqual({
      name: 'f',
    });
    expect(map({ ...base, tool_choice: 'required' }).toolChoice).toBe('required');
    expect(map({ ...base, tool_choice: 'none' }).toolChoice).toBe('none');
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    expect(
      map({ ...base, response_format: { type: 'json_schema', json_schema: { name: 'out', schema, strict: true } } })
        .responseFormat,
    ).toEqual({ type: 'json_schema', name: 'out', schema, strict: true });
  });
});
