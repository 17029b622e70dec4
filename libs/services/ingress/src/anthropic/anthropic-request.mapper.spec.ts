import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { fromMessagesBody } from './anthropic-request.mapper';
import { parseCountTokensBody, parseMessagesBody } from './messages.schema';

const decode = (body: Record<string, unknown>) =>
  fromMessagesBody(parseMessagesBody({ model: 'claude-sonnet-4-5', max_tokens: 100, ...body }));

const refusal = (body: unknown): PolymuxException => {
  try {
    parseMessagesBody(body);
  } catch (error) {
    if (error instanceof PolymuxException) return error;
    throw error;
  }
  throw new Error('the body was accepted');
};

const user = (content: unknown) => ({ role: 'user', content });

describe('Messages body schema', () => {
  const base = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [user('hi')] };

  it('accepts what the SDK sends, every block type and option included', () => {
    expect(() =>
      parseMessagesBody({
        ...base,
        system: [{ type: 'text', text: 'be terse', cache_control: { type: 'ephemeral', ttl: '1h' } }],
        messages: [
          user([
            { type: 'text', text: 'look' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'a' },
          ]),
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 'sig' },
              { type: 'redacted_thinking', data: 'xyz' },
              { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
            ],
          },
          user([
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'r' }], is_error: true },
          ]),
        ],
        tools: [{ name: 'f', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } }],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        stop_sequences: ['END'],
        temperature: 0.5,
        top_p: 0.9,
        top_k: 40,
        metadata: { user_id: 'u-1' },
        thinking: { type: 'enabled', budget_tokens: 2048 },
        stream: true,
        service_tier: 'auto',
      }),
    ).not.toThrow();
  });

  it.each([
    ['no max_tokens', { model: 'm', messages: [user('x')] }, 'max_tokens'],
    ['no messages', { model: 'm', max_tokens: 1, messages: [] }, 'messages'],
    ['a zero max_tokens', { ...base, max_tokens: 0 }, 'max_tokens'],
    ['temperature above 1', { ...base, temperature: 1.5 }, 'temperature'],
    ['a system role in messages', { ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role'],
    ['an unknown block type', { ...base, messages: [user([{ type: 'video', url: 'x' }])] }, 'messages.0.content'],
    ['a tool without input_schema', { ...base, tools: [{ name: 'f' }] }, 'tools.0.input_schema'],
    [
      'a thinking budget under 1024',
      { ...base, thinking: { type: 'enabled', budget_tokens: 10 } },
      'thinking.budget_tokens',
    ],
    ['unknown metadata', { ...base, metadata: { team: 'x' } }, 'metadata'],
    ['a server tool', { ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools.0.type'],
    ['n', { ...base, n: 2 }, 'n'],
    [
      'an image source of another scheme',
      { ...base, messages: [user([{ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }])] },
      'messages.0.content.0.source.url',
    ],
    [
      'a document inside a tool result by a URL of another scheme',
      {
        ...base,
        messages: [
          user([
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [{ type: 'document', source: { type: 'url', url: 'ftp://example.com/a.pdf' } }],
            },
          ]),
        ],
      },
      'messages.0.content.0.content.0.source.url',
    ],
    ['a tool_choice naming no tool', { ...base, tool_choice: { type: 'tool', name: '' } }, 'tool_choice.name'],
  ])('refuses %s with a 400 naming the field', (_name, body, param) => {
    const error = refusal(body);
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.details.param ?? error.message).toContain(param);
  });

  it('refuses bodies that are not objects or nest too deep', () => {
    expect(refusal([]).code).toBe(ErrorCode.InvalidRequest);
    let deep: unknown = 'x';
    for (let level = 0; level < 40; level += 1) deep = { deep };
    expect(refusal({ ...base, extra: deep }).message).toMatch(/nests deeper/);
  });

  it('takes what the wire format allows and the gateway maps: long tool names, any tool ids, empty texts', () => {
    const name = 'a.tool.name.anthropic.would.refuse.because.it.is.longer.than.sixty.four.characters';
    const body = parseMessagesBody({
      ...base,
      tools: [{ type: 'custom', name, input_schema: { type: 'object' } }],
      messages: [
        user([{ type: 'text', text: '' }]),
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call:1', name, input: {} }] },
      ],
    });
    expect(body.tools?.[0]?.name).toBe(name);
  });

  it('takes a count_tokens body without max_tokens', () => {
    expect(parseCountTokensBody({ model: 'm', messages: [user('x')] }).max_tokens).toBeUndefined();
  });
});

describe('fromMessagesBody', () => {
  it('maps the options onto the canonical request and keeps unknown fields in extra', () => {
    const request = decode({
      messages: [user('hi')],
      stop_sequences: ['END'],
      temperature: 0.2,
      top_p: 0.8,
      top_k: 5,
      metadata: { user_id: 'u-1' },
      thinking: { type: 'enabled', budget_tokens: 4096 },
      tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: true },
      tools: [{ name: 'f', description: 'd', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
      service_tier: 'auto',
      stream: true,
    });
    expect(request).toEqual({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [{ name: 'f', description: 'd', parameters: { type: 'object' }, cacheControl: { type: 'ephemeral' } }],
      toolChoice: { name: 'f' },
      parallelToolCalls: false,
      maxOutputTokens: 100,
      temperature: 0.2,
      topP: 0.8,
      topK: 5,
      reasoning: { budgetTokens: 4096 },
      stop: ['END'],
      user: 'u-1',
      stream: true,
      includeUsage: true,
      extra: { service_tier: 'auto' },
    });
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    expect(decode({ messages: [user('x')], tool_choice: choice }).toolChoice).toBe(expected);
  });

  it('turns system blocks into a system message with their cache breakpoints', () => {
    const request = decode({
      system: [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b', cache_control: { type: 'ephemeral' } },
      ],
      messages: [user('x')],
    });
    expect(request.messages[0]).toEqual({
      role: 'system',
      content: [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b', cacheControl: { type: 'ephemeral' } },
      ],
    });
    expect(decode({ system: 'terse', messages: [user('x')] }).messages[0]).toEqual({
      role: 'system',
      content: [{ type: 'text', text: 'terse' }],
    });
  });

  it('keeps a document inside a tool result', () => {
    const request = decode({
      messages: [
        user([
          {
            type: 'tool_result',
            tool_use_id: 'toolu_a',
            content: [{ type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' }, title: 'A' }],
          },
        ]),
      ],
    });
    expect(request.messages).toEqual([
      {
        role: 'tool',
        toolCallId: 'toolu_a',
        content: [{ type: 'document', url: 'https://example.com/a.pdf', mediaType: 'application/pdf', title: 'A' }],
      },
    ]);
  });

  it('keeps a tool result that reports an error as isError, and leaves the flag off otherwise', () => {
    const request = decode({
      messages: [
        user('read it'),
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_a', name: 'read', input: {} },
            { type: 'tool_use', id: 'toolu_b', name: 'read', input: {} },
          ],
        },
        user([
          { type: 'tool_result', tool_use_id: 'toolu_a', content: 'no such file', is_error: true },
          { type: 'tool_result', tool_use_id: 'toolu_b', content: 'ok', is_error: false },
        ]),
      ],
    });
    const [failed, succeeded] = request.messages.slice(2);
    expect(failed).toEqual({
      role: 'tool',
      toolCallId: 'toolu_a',
      content: [{ type: 'text', text: 'no such file' }],
      isError: true,
    });
    expect(succeeded).not.toHaveProperty('isError');
  });

  it('turns tool_use into tool calls and tool_result blocks into tool messages, in order, images kept', () => {
    const request = decode({
      messages: [
        user('weather?'),
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'let me check', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'enc' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_a', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_b', name: 'weather', input: { city: 'Rome' } },
          ],
        },
        user([
          { type: 'tool_result', tool_use_id: 'toolu_a', content: 'sunny' },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_b',
            content: [
              { type: 'text', text: 'rainy' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            ],
            cache_control: { type: 'ephemeral' },
          },
          { type: 'text', text: 'and now?' },
        ]),
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'let me check', signature: 'sig-1' },
          { type: 'redacted_thinking', data: 'enc' },
          { type: 'text', text: 'Checking.' },
        ],
        toolCalls: [
          { id: 'toolu_a', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'toolu_b', name: 'weather', arguments: '{"city":"Rome"}' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_a', content: [{ type: 'text', text: 'sunny' }] },
      {
        role: 'tool',
        toolCallId: 'toolu_b',
        content: [
          { type: 'text', text: 'rainy' },
          { type: 'image', url: 'data:image/png;base64,AAAA', cacheControl: { type: 'ephemeral' } },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'and now?' }] },
    ]);
  });

  it('maps documents (PDF, plain text, URL) to document parts', () => {
    const request = decode({
      messages: [
        user([
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'Spec' },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' } },
          { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
        ]),
      ],
    });
    expect(request.messages[0].content).toEqual([
      { type: 'document', url: 'data:application/pdf;base64,JVBER', mediaType: 'application/pdf', title: 'Spec' },
      {
        type: 'document',
        url: `data:text/plain;base64,${Buffer.from('héllo').toString('base64')}`,
        mediaType: 'text/plain',
      },
      { type: 'document', url: 'https://example.com/a.pdf', mediaType: 'application/pdf' },
    ]);
  });

  it('maps output_config effort and format, and keeps an adaptive thinking configuration in extra', () => {
    const request = decode({
      messages: [user('x')],
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max', format: { type: 'json_schema', schema: { type: 'object' } } },
    });
    expect(request.reasoning).toEqual({ effort: 'high' });
    expect(request.responseFormat).toEqual({
      type: 'json_schema',
      name: 'output',
      schema: { type: 'object' },
      strict: true,
    });
    expect(request.extra).toEqual({ thinking: { type: 'adaptive' } });
  });
});
