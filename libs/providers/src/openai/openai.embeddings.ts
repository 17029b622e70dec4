import type { EmbeddingRequest, EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException, float32ToBase64 } from '@polymux/contracts';
import type { OpenAiEmbeddingsList, OpenAiEmbeddingsRequest } from '@polymux/wire';

/** The body the adapter writes: floats always, as every OpenAI-compatible server (vLLM, Ollama, TGI) speaks them. */
export type OpenAiEmbeddingsBody = OpenAiEmbeddingsRequest & { encoding_format: 'float' };

/**
 * The list as the adapter reads it, checked field by field below rather than by the schema: a
 * schema parse would walk every number of every vector once more, for the same checks.
 */
type OpenAiEmbeddingList = Pick<OpenAiEmbeddingsList, 'data' | 'model' | 'usage'>;

const malformed = (what: string) => new PolymuxException(ErrorCode.UpstreamError, `openai answered ${what}`);

/** The upstream body of a canonical request: base64 is made at the edge, for the callers who ask for it. */
export const toOpenAiEmbeddingsBody = (request: EmbeddingRequest, upstreamModel: string): OpenAiEmbeddingsBody => ({
  model: upstreamModel,
  input: request.input,
  encoding_format: 'float',
  ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
  ...(request.user !== undefined ? { user: request.user } : {}),
});

const isVector = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'number');

/**
 * The canonical answer from an embeddings list: one vector per input, put in input order by
 * `index`, each as little-endian float32 base64; a list that does not cover every input is refused.
 */
export const toEmbeddingResponse = (body: unknown, inputs: number, upstreamModel: string): EmbeddingResponse => {
  const list = body as Partial<OpenAiEmbeddingList> | null;
  if (typeof list !== 'object' || list === null || !Array.isArray(list.data)) {
    throw malformed('an embeddings list without data');
  }
  // Filled, not sparse: `some` below skips the holes of a sparse array.
  const embeddings = Array.from<string | undefined>({ length: inputs });
  for (const item of list.data as unknown[]) {
    const entry = item as Partial<OpenAiEmbeddingList['data'][number]> | null;
    const index = entry?.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= inputs) {
      throw malformed('an embedding without a valid index');
    }
    if (!isVector(entry?.embedding)) throw malformed('an embedding that is not a float vector');
    embeddings[index] = float32ToBase64(entry.embedding);
  }
  if (embeddings.some((vector) => vector === undefined)) throw malformed('fewer embeddings than inputs');
  const tokens = list.usage?.prompt_tokens;
  return {
    model: typeof list.model === 'string' ? list.model : upstreamModel,
    embeddings: embeddings as string[],
    inputTokens: typeof tokens === 'number' && Number.isInteger(tokens) && tokens >= 0 ? tokens : null,
  };
};
