import { ErrorCode, PolymuxException, float32ToBase64 } from '@polymux/contracts';

import { toEmbeddingsList } from './embeddings.response';
import { MAX_EMBEDDING_TEXT_CHARS, decodeEmbeddingsBody } from './embeddings.schema';

const failureOf = (body: unknown) => {
  try {
    decodeEmbeddingsBody(body);
  } catch (error) {
    if (error instanceof PolymuxException) return error.toPayload();
    throw error;
  }
  throw new Error('expected the body to be refused');
};

describe('embeddings body', () => {
  it.each([
    ['a string', 'hello', ['hello']],
    ['strings', ['a', 'b'], ['a', 'b']],
    ['one token list', [1, 2, 3], [[1, 2, 3]]],
    ['token lists', [[1], [2, 3]], [[1], [2, 3]]],
  ])('maps %s to a list of inputs', (_what, input, expected) => {
    expect(decodeEmbeddingsBody({ model: 'text-embedding-3-small', input })).toEqual({
      request: { model: 'text-embedding-3-small', input: expected },
      encoding: 'float',
    });
  });

  it('keeps dimensions, user and the encoding asked for', () => {
    expect(
      decodeEmbeddingsBody({ model: 'm', input: 'x', dimensions: 256, user: 'u-1', encoding_format: 'base64' }),
    ).toEqual({ request: { model: 'm', input: ['x'], dimensions: 256, user: 'u-1' }, encoding: 'base64' });
  });

  it.each([
    ['no model', { input: 'x' }, 'model'],
    ['no input', { model: 'm' }, 'input'],
    ['an empty string', { model: 'm', input: '' }, 'input'],
    ['an empty list', { model: 'm', input: [] }, 'input'],
    ['mixed texts and tokens', { model: 'm', input: ['a', [1]] }, 'input.1'],
    ['a negative token', { model: 'm', input: [-1] }, 'input.0'],
    ['more than 2048 inputs', { model: 'm', input: Array.from({ length: 2_049 }, () => 'x') }, 'input'],
    ['a text over the size bound', { model: 'm', input: 'x'.repeat(MAX_EMBEDDING_TEXT_CHARS + 1) }, 'input'],
    ['an unknown encoding', { model: 'm', input: 'x', encoding_format: 'int8' }, 'encoding_format'],
    ['zero dimensions', { model: 'm', input: 'x', dimensions: 0 }, 'dimensions'],
    ['fractional dimensions', { model: 'm', input: 'x', dimensions: 1.5 }, 'dimensions'],
    ['a model name with a newline', { model: 'a\nb', input: 'x' }, 'model'],
  ])('refuses %s with a 400 naming the field', (_what, body, param) => {
    expect(failureOf(body)).toMatchObject({ code: ErrorCode.InvalidRequest, param });
  });

  it('refuses an unknown field, as OpenAI does', () => {
    expect(failureOf({ model: 'm', input: 'x', temperature: 1 })).toMatchObject({ code: ErrorCode.InvalidRequest });
    expect(failureOf([])).toMatchObject({ code: ErrorCode.InvalidRequest });
  });

  it('accepts exactly 2048 inputs', () => {
    expect(
      decodeEmbeddingsBody({ model: 'm', input: Array.from({ length: 2_048 }, () => 'x') }).request.input,
    ).toHaveLength(2_048);
  });
});

describe('embeddings answer', () => {
  const vectors = [
    [0.5, -0.25, 1e-3],
    [1, 0, -1],
  ];
  const response = { model: 'up', embeddings: vectors.map(float32ToBase64), inputTokens: 9 };

  it("answers floats in OpenAI's list shape, naming the catalog model", () => {
    const list = toEmbeddingsList(response, 'text-embedding-3-small', 9, 'float');
    expect(list).toMatchObject({
      object: 'list',
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 9, total_tokens: 9 },
    });
    expect(list.data.map((item) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(list.data[1].embedding).toEqual([1, 0, -1]);
    expect(list.data[0].embedding).toEqual([0.5, -0.25, Math.fround(1e-3)]);
  });

  it('answers base64 as little-endian float32, the bytes OpenAI sends', () => {
    const list = toEmbeddingsList(response, 'm', 9, 'base64');
    const bytes = Buffer.from(list.data[0].embedding as string, 'base64');
    expect(bytes.byteLength).toBe(12);
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4), bytes.readFloatLE(8)]).toEqual([0.5, -0.25, Math.fround(1e-3)]);
    // -0.25 as float32 is 0xbe800000, little-endian on the wire.
    expect([...bytes.subarray(4, 8)]).toEqual([0x00, 0x00, 0x80, 0xbe]);
  });
});
