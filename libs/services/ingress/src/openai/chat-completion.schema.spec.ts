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
