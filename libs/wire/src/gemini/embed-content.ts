import { z } from 'zod';

import { GeminiContent } from './generate-content';

/**
 * Google's embeddings wire format (`models/{model}:batchEmbedContents`), defined once: the Gemini
 * adapter writes requests and reads answers with it, the provider simulator validates requests.
 */

export const GeminiEmbedContentRequest = z.looseObject({
  /** `models/{model}`, the same model as the URL's. */
  model: z.string().min(1),
  content: GeminiContent,
  taskType: z.string().optional(),
  title: z.string().optional(),
  outputDimensionality: z.number().int().min(1).optional(),
});
export type GeminiEmbedContentRequest = z.infer<typeof GeminiEmbedContentRequest>;

export const GeminiBatchEmbedContentsRequest = z.looseObject({
  requests: z.array(GeminiEmbedContentRequest).min(1).max(250),
});
export type GeminiBatchEmbedContentsRequest = z.infer<typeof GeminiBatchEmbedContentsRequest>;

/** One vector per request, in request order; the Gemini API reports no token usage here. */
export interface GeminiBatchEmbedContentsResponse {
  embeddings?: Array<{ values?: number[] }>;
}
