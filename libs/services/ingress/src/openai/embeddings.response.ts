import type { EmbeddingResponse } from '@polymux/contracts';
import { base64ToFloat32 } from '@polymux/contracts';
import type { OpenAiEmbeddingsList } from '@polymux/wire';

import type { EncodingFormat } from './embeddings.schema';

/**
 * The answer in OpenAI's shape: vectors travel as little-endian float32 base64, so a `base64`
 * caller gets them as they are and a `float` caller gets them decoded once, here. `model` is the
 * catalog model, as chat answers name it.
 */
export const toEmbeddingsList = (
  response: EmbeddingResponse,
  model: string,
  inputTokens: number,
  encoding: EncodingFormat,
): OpenAiEmbeddingsList => ({
  object: 'list',
  data: response.embeddings.map((vector, index) => ({
    object: 'embedding',
    index,
    embedding: encoding === 'base64' ? vector : base64ToFloat32(vector),
  })),
  model,
  usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
});
