import { z } from 'zod';

/**
 * The canonical embeddings model: ingress maps an inbound embeddings body onto it, the executor's
 * adapters map it onto their provider's wire format. Input text is content: it travels only on the
 * core-NATS request to the executor, like a chat body, never on JetStream, in logs or in spans.
 */

/** Most inputs one request may embed (OpenAI's own limit). */
export const MAX_EMBEDDING_INPUTS = 2_048;
/** Most tokens one pre-tokenised input may carry (OpenAI's per-input limit for its embedding models). */
export const MAX_EMBEDDING_INPUT_TOKENS = 8_192;

/** A token id of a pre-tokenised input. */
const TokenId = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31 - 1);

export const EmbeddingRequest = z.object({
  /** The model as the caller named it. */
  model: z.string(),
  /** Texts or pre-tokenised inputs, never mixed (no provider accepts both in one request). */
  input: z.union([
    z.array(z.string()).min(1).max(MAX_EMBEDDING_INPUTS),
    z.array(z.array(TokenId).min(1).max(MAX_EMBEDDING_INPUT_TOKENS)).min(1).max(MAX_EMBEDDING_INPUTS),
  ]),
  /** Vector size asked for; only models whose catalog entry allows it take it. */
  dimensions: z.number().int().positive().optional(),
  /** The caller's end user, passed on for the provider's abuse monitoring. */
  user: z.string().optional(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

export const EmbeddingResponse = z.object({
  /** The upstream model that answered. */
  model: z.string(),
  /**
   * One vector per input, in input order, each as base64 of little-endian float32 (OpenAI's
   * `encoding_format: base64`): exact for float32 vectors, and about a quarter of the bytes of
   * JSON decimals on the NATS hop back to ingress, which passes it through or decodes it once.
   */
  embeddings: z.array(z.string()),
  /** Input tokens the provider reported; null when it reported none (ingress counts them). */
  inputTokens: z.number().int().nonnegative().nullable(),
});
export type EmbeddingResponse = z.infer<typeof EmbeddingResponse>;

/** A vector as base64 of its little-endian float32 values, the layout OpenAI's base64 embeddings use. */
export const float32ToBase64 = (vector: ArrayLike<number>): string => {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index += 1) bytes.writeFloatLE(vector[index], index * 4);
  return bytes.toString('base64');
};

/** The inverse of `float32ToBase64`: the vector's values as numbers. */
export const base64ToFloat32 = (encoded: string): number[] => {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.byteLength % 4 !== 0) throw new Error('a base64 float32 vector must be a whole number of 4-byte values');
  const vector = new Array<number>(bytes.byteLength / 4);
  for (let index = 0; index < vector.length; index += 1) vector[index] = bytes.readFloatLE(index * 4);
  return vector;
};
