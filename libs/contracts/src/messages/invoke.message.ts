import { z } from 'zod';

import { ChatChunk, ChatRequest, ChatResponse, Usage } from '../canonical/chat';

/**
 * One upstream call of a catalog deployment, named by id only: the executor resolves URL,
 * credentials and headers from its own catalog. Strict, so a payload that still tries to name a URL
 * or a credential is refused instead of silently ignored.
 */
export const InvokeRequest = z.strictObject({
  deploymentId: z.string().min(1).max(256),
  request: ChatRequest,
});
export type InvokeRequest = z.infer<typeof InvokeRequest>;

/**
 * Frames of an invocation's reply. A non-streaming call answers one `response` frame; a streaming
 * call answers `chunk` frames, then one `done` frame with the usage the provider reported.
 */
export const InvokeFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('response'), response: ChatResponse }),
  z.object({ type: z.literal('chunk'), chunk: ChatChunk }),
  z.object({ type: z.literal('done'), usage: Usage.nullable() }),
]);
export type InvokeFrame = z.infer<typeof InvokeFrame>;
