import type { EmbeddingRequest } from '@polymux/contracts';
import { MAX_EMBEDDING_INPUTS, MAX_EMBEDDING_INPUT_TOKENS } from '@polymux/contracts';
import { parseBody } from '@polymux/http';
import type { OpenAiEncodingFormat } from '@polymux/wire';
import { OpenAiEmbeddingsRequest } from '@polymux/wire';
import { z } from 'zod';

import { endUser, modelName } from './request-bounds';

/**
 * The longest text input accepted: OpenAI's embedding models read at most 8,192 tokens an input,
 * and no tokenizer makes a token of more than a few dozen characters; the body limit bounds the total.
 */
export const MAX_EMBEDDING_TEXT_CHARS = 32 * MAX_EMBEDDING_INPUT_TOKENS;
/** The largest vector size a caller may ask for (text-embedding-3-large's is 3,072). */
export const MAX_EMBEDDING_DIMENSIONS = 16_384;

const text = z.string().min(1, 'an input must not be empty').max(MAX_EMBEDDING_TEXT_CHARS);
const tokenId = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31 - 1);
const tokens = z.array(tokenId).min(1, 'an input must not be empty').max(MAX_EMBEDDING_INPUT_TOKENS);

/**
 * OpenAI's embeddings request body, as the official SDKs send it: the wire format (strict, like
 * OpenAI) with the gateway's bounds on every input, the vector size and the names it records.
 */
export const EmbeddingsBody = OpenAiEmbeddingsRequest.extend({
  model: modelName,
  input: z.union([
    text,
    z.array(text).min(1).max(MAX_EMBEDDING_INPUTS, `at most ${MAX_EMBEDDING_INPUTS} inputs`),
    tokens,
    z.array(tokens).min(1).max(MAX_EMBEDDING_INPUTS, `at most ${MAX_EMBEDDING_INPUTS} inputs`),
  ]),
  dimensions: OpenAiEmbeddingsRequest.shape.dimensions.unwrap().max(MAX_EMBEDDING_DIMENSIONS).optional(),
  user: endUser.optional(),
});
export type EmbeddingsBody = z.infer<typeof EmbeddingsBody>;

/** How the caller wants its vectors: OpenAI's default is `float`. */
export type EncodingFormat = OpenAiEncodingFormat;

/** A single text or token list becomes a list of one; the schema's union keeps texts and token lists apart. */
const inputList = (input: EmbeddingsBody['input']): EmbeddingRequest['input'] => {
  if (typeof input === 'string') return [input];
  if (input.every((item) => typeof item === 'number')) return [input as number[]];
  return input as string[] | number[][];
};

/** The canonical request of a validated body. */
export const toEmbeddingRequest = (body: EmbeddingsBody): EmbeddingRequest => ({
  model: body.model,
  input: inputList(body.input),
  ...(body.dimensions !== undefined ? { dimensions: body.dimensions } : {}),
  ...(body.user !== undefined ? { user: body.user } : {}),
});

/** Validates an embeddings body (400 naming the field) and maps it, with the encoding it asks for. */
export const decodeEmbeddingsBody = (body: unknown): { request: EmbeddingRequest; encoding: EncodingFormat } => {
  const parsed = parseBody(EmbeddingsBody, body);
  return { request: toEmbeddingRequest(parsed), encoding: parsed.encoding_format ?? 'float' };
};
