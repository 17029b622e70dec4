import { z } from 'zod';

import type { CallApi } from './usage.event';

/**
 * What an administrative action changed: the target's state before or after it (null: it did not
 * exist before, or no longer exists after). Secrets are removed before it is published.
 */
export const AuditState = z.record(z.string(), z.json());
export type AuditState = z.infer<typeof AuditState>;

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
  /*
   * Admin actions only. Absent and null mean the same and are stored and hashed as absent, so the
   * records written before these fields existed keep their hashes.
   */
  /** The user the acting key belongs to (a personal key, or a signed-in user). */
  actorUserId: z.string().nullable().optional(),
  /** The caller's source address, as the HTTP edge resolved it. */
  sourceAddress: z.string().nullable().optional(),
  before: AuditState.nullable().optional(),
  after: AuditState.nullable().optional(),
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

export const AuditCategory = z.enum(['call', 'admin']);

/** Filters of the audit trail; every one given must match. */
export const AuditFilters = z.object({
  /** A key id or a user id: records whose actor key or actor user it is. */
  actor: z.string().optional(),
  action: z.string().optional(),
  category: AuditCategory.optional(),
  orgId: z.string().optional(),
  projectId: z.string().optional(),
  requestId: z.string().optional(),
  /** `occurredAt` from (inclusive) and to (exclusive), ISO 8601. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type AuditFilters = z.infer<typeof AuditFilters>;

/** A page of the trail, newest first: records with `seq` below `beforeSeq`, `offset` of them skipped. */
export const AuditQuery = AuditFilters.extend({
  beforeSeq: z.number().int().positive().optional(),
  offset: z.number().int().min(0).max(1_000_000).optional(),
  limit: z.number().int().positive().max(1000).default(100),
});
export const AuditRecords = z.object({
  records: z.array(AuditRecorded.extend({ seq: z.number().int(), hash: z.string() })),
  /** More records match after the last of this page. */
  more: z.boolean(),
});
export type StoredAuditRecord = z.infer<typeof AuditRecords>['records'][number];

/** Verifies every chain, or the chain of one organisation. */
export const AuditVerify = z.object({ orgId: z.string().optional() });

/** Where a chain breaks: the first record that does not verify, what the chain expected there and what it found. */
export const AuditChainBreak = z.object({
  chainId: z.string(),
  reason: z.string(),
  /** The breaking record; null when records are missing at the end of the chain. */
  id: z.string().nullable(),
  seq: z.number().int().nullable(),
  position: z.number().int(),
  /** Hashes for a broken link or hash, positions or lengths for a record out of place or missing. */
  expected: z.string(),
  found: z.string(),
});
export type AuditChainBreak = z.infer<typeof AuditChainBreak>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  /** Records that verified. */
  checked: z.number().int(),
  chains: z.number().int(),
  /** The break with the lowest seq over every chain verified (a missing end counts last). */
  firstBroken: AuditChainBreak.nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;
