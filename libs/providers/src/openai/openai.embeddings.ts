import type { EmbeddingRequest, EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException, float32ToBase64 } from '@polymux/contracts';

/** OpenAI's `POST /v1/embeddings` wire format, as far as the adapter writes or reads it. */
export interface OpenAiEmbeddingsBody {
  model: string;
  input: string[] | number[][];
  /** Always `float`: every OpenAI-compatible server (vLLM, Ollama, TGI) speaks it; base64 is made at the edge. */
  encoding_format: 'float';
  dimensions?: number;
  user?: string;
}

interface OpenAiEmbeddingList {
  data: Array<{ index: number; embedding: number[] }>;
  model?: string;
  usage?: { prompt_tokens?: number };
}

const malformed = (what: string) => new PolymuxException(ErrorCode.UpstreamError, `openai answered ${what}`);

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
