import type { OpenAiEmbeddingsList, OpenAiEmbeddingsRequest } from '@polymux/wire';

import { embeddingTokens } from './prompt-tokens';

export const DEFAULT_DIMENSIONS = 1536;
/** text-embedding-3-large's native size; every other model answers `DEFAULT_DIMENSIONS`. */
export const LARGE_DIMENSIONS = 3072;

const defaultDimensions = (model: string): number =>
  model.includes('embedding-3-large') ? LARGE_DIMENSIONS : DEFAULT_DIMENSIONS;

const hash = (input: string | number[]): number => {
  const text = typeof input === 'string' ? input : input.join(',');
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) value = Math.imul(value ^ text.charCodeAt(index), 0x01000193);
  return value >>> 0;
};

/** A deterministic unit vector derived from the input. */
export const embeddingVector = (input: string | number[], dimensions: number): Float32Array => {
  const vector = new Float32Array(dimensions);
  let state = hash(input) || 1;
  let norm = 0;
  for (let index = 0; index < dimensions; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const value = (state >>> 0) / 0xffffffff - 0.5;
    vector[index] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let index = 0; index < dimensions; index += 1) vector[index] *= scale;
  return vector;
};

const inputsOf = (input: OpenAiEmbeddingsRequest['input']): Array<string | number[]> => {
  if (typeof input === 'string') return [input];
  if (input.every((item): item is number => typeof item === 'number')) return [input];
  return input.filter((item): item is string | number[] => typeof item !== 'number');
};

const encode = (vector: Float32Array, format: OpenAiEmbeddingsRequest['encoding_format']): number[] | string =>
  format === 'base64'
    ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')
    : Array.from(vector);

/** The `list` body of `POST /v1/embeddings`; `encoding_format: base64` is little-endian float32. */
export const embeddingsBody = (request: OpenAiEmbeddingsRequest): OpenAiEmbeddingsList => {
  const dimensions = request.dimensions ?? defaultDimensions(request.model);
  const inputs = inputsOf(request.input);
  const tokens = inputs.reduce((sum, input) => sum + embeddingTokens(input), 0);
  return {
    object: 'list',
    data: inputs.map((input, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encode(embeddingVector(input, dimensions), request.encoding_format),
    })),
    model: request.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
};
