import { z } from 'zod';

import { EmbeddingRequest } from '../canonical/embeddings';

/**
 * One upstream embeddings call of a catalog deployment, named by id only, like `InvokeRequest`:
 * strict, so a payload that tries to name a URL or a credential is refused.
 */
export const EmbedRequest = z.strictObject({
  deploymentId: z.string().min(1).max(256),
  request: EmbeddingRequest,
});
export type EmbedRequest = z.infer<typeof EmbedRequest>;
