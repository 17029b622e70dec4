import { ErrorCode } from '@polymux/contracts';

import type { DecodeContext } from '../formats/inbound-format';
import { responses } from './responses.format';

const context = (dataRetention = false): DecodeContext => ({ dataRetention, dropped: [] });
const decode = (body: unknown, decoding = context()) => responses.decode(body, decoding);
const valid = { model: 'gpt-4.1-mini', input: 'hi' };

const rejection = (body: unknown, decoding = context()) => {
  try {
    decode(body, decoding);
  } catch (error) {
    return error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
};

describe('Responses body validation', () => {
  it.each([
    ['no model', { input: 'hi' }, 'model'],
    ['no input', { model: 'm' }, 'input'],
    ['an empty input list', { model: 'm', input: [] }, 'input'],
    ['a number as input', { model: 'm', input: 3 }, 'input'],
    ['a message with an unknown role', { ...valid, input: [{ role: 'tool', content: 'x' }] }, 'input.0'],
    [
      'a function_call without call_id',
      { ...valid, input: [{ type: 'function_call', name: 'f', arguments: '{}' }] },
      'input.0',
    ],
    ['a built-in tool', { ...valid, tools: [{ type: 'web_search' }] }, 'tools.0'],
    ['a function tool without a name', { ...valid, tools: [{ type: 'function', parameters: {} }] }, 'tools.0'],
    ['a server-side input item', { ...valid, input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input.0'],
    ['a temperature above 2', { ...valid, temperature: 3 }, 'temperature'],
    ['a non-integer max_output_tokens', { ...valid, max_output_tokens: 1.5 }, 'max_output_tokens'],
    ['json_schema without a schema', { ...valid, text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format'],
    ['a newline in model', { ...valid, model: 'a\nb' }, 'model'],
    ['store that is not a boolean', { ...valid, store: 'yes' }, 'store'],
  ])('refuses %s with a 400 naming the field', (_case, body, param) => {
    expect(rejection(body)).toMatchObject({
      code: ErrorCode.InvalidRequest,
      details: { param: expect.stringMatching(new RegExp(`^${param.replace(/\./g, '\\.')}`)) },
    });
  });

  it('says why a built-in tool is refused', () => {
    expect(rejection({ ...valid, tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] })).toMatchObject({
      message: expect.stringMatching(/built-in tool code_interpreter is not supported/),
    });
  });

  it('refuses images and files by file_id: there is no Files API to read them from', () => {
    const image = {
      ...valid,
      input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto', file_id: 'file_1' }] }],
    };
    expect(rejection(image)).toMatchObject({
      message: expect.stringMatching(/file_id is not supported/),
      details: { param: 'input.0.content.0' },
    });
    const file = { ...valid, input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] };
    expect(rejection(file)).toMatchObject({ message: expect.stringMatching(/file_id is not supported/) });
  });

  it('refuses previous_response_id with a message that says why, for both retention settings', () => {
    const body = { ...valid, previous_response_id: 'resp_1' };
    expect(rejection(body, context(false))).toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: expect.stringMatching(/under zero data retention Polymux stores no responses/),
      details: { param: 'previous_response_id' },
    });
    expect(rejection(body, context(true))).toMatchObject({
      message: expect.stringMatching(/even for projects with data retention enabled/),
      details: { param: 'previous_response_id' },
    });
  });

  it('refuses background responses, conversations and stored prompts', () => {
    expect(rejection({ ...valid, background: true })).toMatchObject({ details: { param: 'background' } });
    expect(rejection({ ...valid, conversation: 'conv_1' })).toMatchObject({ details: { param: 'conversation' } });
    expect(rejection({ ...valid, prompt: { id: 'pmpt_1' } })).toMatchObject({ details: { param: 'prompt' } });
    expect(decode({ ...valid, background: false, previous_response_id: null }).messages).toHaveLength(1);
  });
});

describe('Responses body → canonical request', () => {
  it('puts instructions first as a system message and a string input as a user message', () => {
    const request = decode({ ...valid, instructions: 'Be brief.', input: 'Hello' });
    expect(request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
    ]);
    expect(request.stream).toBe(false);
  });

  it('maps a function call → output loop onto one assistant turn and a tool message', () => {
    const request = decode({
      model: 'm',
      input: [
        { role: 'developer', content: 'use tools' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'weather?' },
            { type: 'input_image', detail: 'low', image_url: 'https://x/y.png' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'think' }], encrypted_content: 'sig' },
        {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Let me check.', annotations: [] }],
        },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call', call_id: 'call_2', name: 'time', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":3}' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'noon' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'developer', content: [{ type: 'text', text: 'use tools' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'weather?' },
          { type: 'image', url: 'https://x/y.png', detail: 'low' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'think', signature: 'sig' },
          { type: 'text', text: 'Let me check.' },
        ],
        toolCalls: [
          { id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
          { id: 'call_2', name: 'time', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: '{"temp":3}' }] },
      { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: 'noon' }] },
    ]);
  });

  it('maps files to document parts, bare base64 as a PDF data URL', () => {
    const request = decode({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_file', filename: 'a.pdf', file_data: 'JVBERi0=' },
            { type: 'input_file', file_data: 'data:text/plain;base64,aGk=' },
          ],
        },
      ],
    });
    expect(request.messages[0].content).toEqual([
      {
        type: 'document',
        url: 'data:application/pdf;base64,JVBERi0=',
        mediaType: 'application/pdf',
        filename: 'a.pdf',
      },
      { type: 'document', url: 'data:text/plain;base64,aGk=', mediaType: 'text/plain', filename: undefined },
    ]);
  });

  it('maps tools, tool_choice, text.format, sampling, reasoning effort and the end user', () => {
    const request = decode({
      ...valid,
      tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      max_output_tokens: 50,
      temperature: 0.5,
      top_p: 0.9,
      reasoning: { effort: 'low' },
      user: 'u1',
      stream: true,
    });
    expect(request).toMatchObject({
      tools: [{ name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
      toolChoice: { name: 'f' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
      maxOutputTokens: 50,
      temperature: 0.5,
      topP: 0.9,
      reasoning: { effort: 'low' },
      user: 'u1',
      stream: true,
    });
    expect(decode({ ...valid, tool_choice: 'required', text: { format: { type: 'json_object' } } })).toMatchObject({
      toolChoice: 'required',
      responseFormat: { type: 'json_object' },
    });
  });

  it('treats store as false and names what only the Responses servers act on in dropped', () => {
    const decoding = context();
    const request = decode(
      {
        ...valid,
        store: true,
        include: ['reasoning.encrypted_content'],
        truncation: 'auto',
        reasoning: { effort: 'xhigh', summary: 'auto' },
        input: [
          { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' },
          { role: 'user', content: 'hi' },
        ],
      },
      decoding,
    );
    expect(decoding.dropped.sort()).toEqual([
      'include',
      'input.reasoning',
      'reasoning.effort',
      'reasoning.summary',
      'store',
      'truncation',
    ]);
    expect(request.extra).toBeUndefined();
    expect(request.reasoning).toEqual({ effort: 'high' });
    expect(request.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);

    const quiet = context();
    decode({ ...valid, store: false, truncation: 'disabled', include: [] }, quiet);
    expect(quiet.dropped).toEqual([]);
  });

  it('carries metadata, safety_identifier, verbosity and unknown fields in extra, for passthrough to decide', () => {
    const request = decode({
      ...valid,
      metadata: { team: 'a' },
      safety_identifier: 's',
      text: { verbosity: 'low' },
      service_tier: 'flex',
    });
    expect(request.extra).toEqual({
      metadata: { team: 'a' },
      safety_identifier: 's',
      verbosity: 'low',
      service_tier: 'flex',
    });
  });
});
