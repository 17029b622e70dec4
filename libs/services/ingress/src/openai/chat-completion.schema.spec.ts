import { ErrorCode } from '@polymux/contracts';

import { parseChatCompletionBody } from './chat-completion.schema';
import { MAX_JSON_DEPTH } from './request-bounds';

const valid = { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] };

const rejection = (body: unknown) => {
  try {
    parseChatCompletionBody(body);
  } catch (error) {
    return error;
  }
  throw new Error(`accepted ${JSON.stringify(body)?.slice(0, 200)}`);
};

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
};

describe('parseChatCompletionBody bounds', () => {
  it.each([
    ['a newline in model', { model: 'gpt\r\nx-evil: 1' }, 'model'],
    ['a space in model', { model: 'gpt 4' }, 'model'],
    ['a non-ASCII model', { model: 'gpt-4é' }, 'model'],
    ['a very long model', { model: 'm'.repeat(257) }, 'model'],
    ['a control character in user', { user: 'bob\u0000' }, 'user'],
    ['a very long user', { user: 'u'.repeat(257) }, 'user'],
    ['metadata that is not strings', { metadata: { a: 1 } }, 'metadata.a'],
    ['a long metadata value', { metadata: { a: 'v'.repeat(513) } }, 'metadata.a'],
    ['a long metadata key', { metadata: { ['k'.repeat(65)]: 'v' } }, 'metadata'],
    ['a newline in a metadata value', { metadata: { a: 'x\ny' } }, 'metadata.a'],
    [
      'too many metadata pairs',
      { metadata: Object.fromEntries([...Array(17).keys()].map((i) => [`k${i}`, 'v'])) },
      'metadata',
    ],
    ['store that is not a boolean', { store: 'yes' }, 'store'],
  ])('refuses %s with a 400 naming the field', (_case, override, param) => {
    expect(rejection({ ...valid, ...override })).toMatchObject({
      code: ErrorCode.InvalidRequest,
      details: { param: expect.stringMatching(new RegExp(`^${param.replace('.', '\\.')}`)) },
    });
  });

  it('refuses unknown field names that could not be named back in a header', () => {
    expect(rejection({ ...valid, 'bad\nname': 1 })).toMatchObject({ code: ErrorCode.InvalidRequest });
    expect(rejection({ ...valid, ['f'.repeat(65)]: 1 })).toMatchObject({ code: ErrorCode.InvalidRequest });
    const many = Object.fromEntries([...Array(33).keys()].map((i) => [`field_${i}`, i]));
    expect(rejection({ ...valid, ...many })).toMatchObject({ code: ErrorCode.InvalidRequest });
  });

  it('refuses JSON nested deeper than the limit anywhere, and accepts it at the limit', () => {
    const deep = nested(MAX_JSON_DEPTH + 5);
    expect(rejection({ ...valid, extra_field: deep })).toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: `the request body nests deeper than ${MAX_JSON_DEPTH} levels`,
    });
    expect(() => parseChatCompletionBody({ ...valid, extra_field: nested(MAX_JSON_DEPTH - 2) })).not.toThrow();
    // A hundred thousand levels would overflow JSON.stringify; the check itself does not recurse.
    let array: unknown = [];
    for (let level = 0; level < 100_000; level += 1) array = [array];
    expect(rejection({ ...valid, tools: array })).toMatchObject({ code: ErrorCode.InvalidRequest });
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, 'text', 42, [valid]]) {
      expect(rejection(body)).toMatchObject({ code: ErrorCode.InvalidRequest });
    }
  });

  it('accepts model names as catalogs spell them and bounded free text', () => {
    for (const model of ['gpt-4.1-mini', 'openai/gpt-4.1', 'meta-llama/Llama-3.1-70B-Instruct:free', 'auto']) {
      expect(parseChatCompletionBody({ ...valid, model }).model).toBe(model);
    }
    const body = parseChatCompletionBody({ ...valid, user: 'ünïcode user', metadata: { team: 'search é' } });
    expect(body).toMatchObject({ user: 'ünïcode user', metadata: { team: 'search é' } });
  });
});

describe('parseChatCompletionBody content and parameter rules', () => {
  const user = (content: unknown) => ({ ...valid, messages: [{ role: 'user', content }] });

  it.each([
    [
      'an uploaded file id',
      user([{ type: 'file', file: { file_id: 'file-abc' } }]),
      'messages.0.content.0.file.file_id',
      /uploaded files are not supported/,
    ],
    [
      'a file part with neither file_data nor file_id',
      user([{ type: 'file', file: { filename: 'a.pdf' } }]),
      'messages.0.content.0.file.file_data',
      /file_data is required/,
    ],
    [
      'an input_audio part',
      user([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }]),
      'messages.0.content.0.input_audio',
      /audio input is not supported/,
    ],
    [
      'a file_data that is not a data URL',
      user([{ type: 'file', file: { file_data: 'JVBERi0x' } }]),
      'messages.0.content.0.file.file_data',
      /data: URL/,
    ],
    [
      'an assistant audio reference',
      {
        ...valid,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: null, audio: { id: 'audio_1' } },
        ],
      },
      'messages.1.audio',
      /audio output is not supported/,
    ],
    ['top_logprobs without logprobs', { ...valid, top_logprobs: 3 }, 'top_logprobs', /requires logprobs/],
    [
      'top_logprobs with logprobs false',
      { ...valid, logprobs: false, top_logprobs: 3 },
      'top_logprobs',
      /requires logprobs/,
    ],
    ['an unknown reasoning effort', { ...valid, reasoning_effort: 'extreme' }, 'reasoning_effort', /./],
    [
      'an image part without a URL',
      user([{ type: 'image_url', image_url: {} }]),
      'messages.0.content.0.image_url.url',
      /./,
    ],
    [
      'a tool message with an image',
      {
        ...valid,
        messages: [
          { role: 'tool', tool_call_id: 'c', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        ],
      },
      'messages.0',
      /./,
    ],
  ])('refuses %s with a 400 naming the param', (_case, body, param, message) => {
    const error = rejection(body);
    expect(error).toMatchObject({ code: ErrorCode.InvalidRequest, message: expect.stringMatching(message) });
    expect((error as { details: { param?: string } }).details.param).toMatch(
      new RegExp(`^${param.replace(/\./g, '\\.')}`),
    );
  });

  it('accepts every content part and parameter the official SDK sends', () => {
    const body = parseChatCompletionBody({
      ...valid,
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'read' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'a.pdf' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }], refusal: null, audio: null },
        { role: 'tool', tool_call_id: 'c', content: [{ type: 'text', text: '42' }] },
      ],
      logprobs: true,
      top_logprobs: 5,
      reasoning_effort: 'minimal',
      max_completion_tokens: 100,
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
      parallel_tool_calls: true,
      seed: 1,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
    });
    expect(body.messages).toHaveLength(4);
  });
});
