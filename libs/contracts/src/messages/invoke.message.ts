import { z } from 'zod';

import { ChatChunk, ChatRequest, ChatResponse, Usage } from '../canonical/chat';
import { Deployment } from './plan.message';

export const InvokeRequest = z.object({
  deployment: Deployment,
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
