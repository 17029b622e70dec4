import type { EmbeddingRequest, EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException, float32ToBase64 } from '@polymux/contracts';
import type { GeminiBatchEmbedContentsRequest, GeminiBatchEmbedContentsResponse } from '@polymux/wire';

const malformed = (what: string) => new PolymuxException(ErrorCode.UpstreamError, `gemini answered ${what}`);

/**
 * The `batchEmbedContents` body of a canonical request: one request per text, `dimensions` as
 * `outputDimensionality`. Gemini embeds texts only: pre-tokenised inputs are refused.
 */
export const toBatchEmbedBody = (request: EmbeddingRequest, upstreamModel: string): GeminiBatchEmbedContentsRequest => {
  const texts = request.input.filter((input): input is string => typeof input === 'string');
  if (texts.length !== request.input.length)
    throw new PolymuxException(ErrorCode.InvalidRequest, 'Gemini embeds texts, not token ids');
  return {
    requests: texts.map((text) => ({
      model: `models/${upstreamModel}`,
      content: { parts: [{ text }] },
      ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
    })),
  };
};

const isVector = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'number');

/**
 * The canonical answer of a `batchEmbedContents` one: a vector per input in order, as float32
 * base64. Gemini reports no tokens here (ingress counts them).
 */
export const toEmbeddingResponse = (body: unknown, inputs: number, upstreamModel: string): EmbeddingResponse => {
  const embeddings = (body as GeminiBatchEmbedContentsResponse | null)?.embeddings;
  if (!Array.isArray(embeddings)) throw malformed('an embeddings answer without embeddings');
  if (embeddings.length !== inputs) throw malformed(`${embeddings.length} embeddings for ${inputs} inputs`);
  return {
    model: upstreamModel,
    embeddings: embeddings.map((embedding) => {
      if (!isVector(embedding?.values)) throw malformed('an embedding that is not a float vector');
      return float32ToBase64(embedding.values);
    }),
    inputTokens: null,
  };
};
