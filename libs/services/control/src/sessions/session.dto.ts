import { CallId, MAX_SESSION_CALLS } from '@polymux/contracts';
import { z } from 'zod';

/** The path's session id: the `x-polymux-session-id` a caller sent, with the same rules. */
export const SessionPath = z.strictObject({ sessionId: CallId });

/** `GET /admin/v1/sessions/:sessionId`: optionally one org's, at most `limit` calls listed. */
export const SessionParams = z.strictObject({
  orgId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SESSION_CALLS).default(MAX_SESSION_CALLS),
});
export type SessionParams = z.infer<typeof SessionParams>;
