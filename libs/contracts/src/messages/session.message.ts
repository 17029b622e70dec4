import { z } from 'zod';

import { UsageCall, UsageTotals } from './usage-report.message';

/** The most calls one session answer lists; its totals always cover every call. */
export const MAX_SESSION_CALLS = 1000;

/** One session's calls (`x-polymux-session-id`), in one org or, without `orgId`, wherever it is. */
export const SessionQuery = z.object({
  sessionId: z.string().min(1),
  orgId: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(MAX_SESSION_CALLS),
});
export type SessionQuery = z.infer<typeof SessionQuery>;

/** A session's totals: what its calls used and cost, their summed latency, and when the first began and the last ended. */
export const SessionTotals = UsageTotals.extend({
  latencyMs: z.number().int(),
  startedAt: z.string(),
  endedAt: z.string(),
});
export type SessionTotals = z.infer<typeof SessionTotals>;

/** A session's charged calls by when each started (its end `occurredAt` minus `durationMs`), at most `limit` of them. */
export const SessionUsage = z.object({
  orgId: z.string(),
  calls: z.array(UsageCall.extend({ startedAt: z.string() })),
  totals: SessionTotals,
  /** More calls than `limit`: `calls` are the first ones, `totals` count them all. */
  truncated: z.boolean(),
});
export type SessionUsage = z.infer<typeof SessionUsage>;

/** Null: no charged call carries the session id (in that org). */
export const SessionAnswer = z.object({ session: SessionUsage.nullable() });
export type SessionAnswer = z.infer<typeof SessionAnswer>;
