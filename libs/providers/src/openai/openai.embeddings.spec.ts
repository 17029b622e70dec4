import { ErrorCode, base64ToFloat32 } from '@polymux/contracts';

import { toEmbeddingResponse, toOpenAiEmbeddingsBody } from './openai.embeddings';

describe('OpenAI embeddings mapping', () => {
  it('asks the upstream model for floats, with dimensions and user only when given', () => {
    expect(toOpenAiEmbeddingsBody({ model: 'small', input: ['a', 'b'] }, 'text-embedding-3-small')).toEqual({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'float',
    });
    expect(toOpenAiEmbeddingsBody({ model: 'small', input: [[1, 2]], dimensions: 8, user: 'u-1' }, 'up')).toEqual({
      model: 'up',
      input: [[1, 2]],
      encoding_format: 'float',
      dimensions: 8,
      user: 'u-1',
    });
  });

  it('orders vectors by index and carries them as little-endian float32 base64', () => {
    const response = toEmbeddingResponse(
      {
        object: 'list',
        data: [
          { object: 'embedding', index: 1, embedding: [0.25, -1] },
          { object: 'embedding', index: 0, embedding: [0.5, 2] },
        ],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 7, total_tokens: 7 },
      },
      2,
      'fallback',
    );
    expect(response).toMatchObject({ model: 'text-embedding-3-small', inputTokens: 7 });
    expect(response.embeddings.map(base64ToFloat32)).toEqual([
      [0.5, 2],
      [0.25, -1],
    ]);
    // 0.5 as little-endian float32 is 00 00 00 3f.
    expect(Buffer.from(response.embeddings[0], 'base64').subarray(0, 4)).toEqual(Buffer.from([0, 0, 0, 0x3f]));
  });

  it('reports missing usage as null and names the deployment model when the answer names none', () => {
    expect(toEmbeddingResponse({ data: [{ index: 0, embedding: [1] }] }, 1, 'up')).toMatchObject({
      model: 'up',
      inputTokens: null,
    });
  });

  it.each([
    ['no data', { object: 'list' }],
    ['a missing vector', { data: [{ index: 0, embedding: [1] }] }],
    [
      'an index out of range',
      {
        data: [
          { index: 5, embedding: [1] },
          { index: 0, embedding: [1] },
        ],
      },
    ],
    [
      'a vector that is not numbers',
      {
        data: [
          { index: 0, embedding: 'AAAA' },
          { index: 1, embedding: [1] },
        ],
      },
    ],
  ])('refuses an answer with %s as an upstream error', (_what, body) => {
    expect(() => toEmbeddingResponse(body, 2, 'up')).toThrow(
      expect.objectContaining({ code: ErrorCode.UpstreamError }),
    );
  });
});
