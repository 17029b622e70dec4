import { z } from 'zod';

import type { CallApi } from './usage.event';

/** An audit fact. Metadata only: never prompt or completion content. */
export const AuditRecorded = z.object({
  /** Unique per fact; also the JetStream message id. */
  id: z.string(),
  category: z.enum(['call', 'admin']),
  action: z.string(),
  /** `partial`: a call that failed after part of its answer was delivered, and was charged for that part. */
  outcome: z.enum(['success', 'failure', 'partial']),
  actorKeyId: z.string().nullable(),
  orgId: z.string().nullable(),
  projectId: z.string().nullable(),
  requestId: z.string().nullable(),
  target: z.string().nullable(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  occurredAt: z.string(),
});
export type AuditRecorded = z.infer<typeof AuditRecorded>;

/**
 * A call's audit record: one per request (this id), action `<api>.create` (`messages.create`, …).
 * Audit derives it from the call's usage event when the call was charged; ingress publishes it for
 * a call that failed.
 */
export const CallAudit = {
  action: (api: CallApi): string => `${api}.create`,
  id: (requestId: string): string => `${requestId}:call`,
} as const;

export const AuditQuery = z.object({
  requestId: z.string().optional(),
  orgId: z.string().optional(),
  limit: z.number().int().positive().max(1000).default(100),
});
export const AuditRecords = z.object({
  records: z.array(AuditRecorded.extend({ seq: z.number().int(), hash: z.string() })),
});
