import type { EmbeddingRequest } from './canonical/embeddings';
import type { Intake } from './messages/plan.message';

/**
 * An upper bound of the input tokens any provider bills for an embeddings request: a text has no
 * more tokens than UTF-8 bytes (see `tokens/prompt-bound.ts`), a pre-tokenised input has its length.
 */
export const embeddingTokensBound = (request: EmbeddingRequest): number =>
  request.input.reduce<number>(
    (sum, input) => sum + (typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length),
    0,
  );

/**
 * What travels to the router to plan an embeddings call: its model, its token bound and the size
 * it asks for. No text sample, since an embeddings call is not classified; the signals are the
 * neutral ones of a request without tools, images or output.
 */
export const embeddingIntakeOf = (request: EmbeddingRequest): Intake => {
  const tokens = embeddingTokensBound(request);
  return {
    model: request.model,
    endpoint: 'embeddings',
    sample: '',
    signals: {
      estimatedInputTokens: Math.ceil(tokens / 4),
      inputTokensUpperBound: tokens,
      messageCount: request.input.length,
      hasTools: false,
      hasImages: false,
      hasResponseFormat: false,
      hasCodeFence: false,
      complexity: 'low',
    },
    prompt: { tokens, images: [] },
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
  };
};
