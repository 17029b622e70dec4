import { z } from 'zod';

/** Where a rate limit is set, broadest first: every call counts against its key's, project's, team's and org's. */
export const RateLimitScope = z.enum(['org', 'team', 'project', 'key']);
export type RateLimitScope = z.infer<typeof RateLimitScope>;

const limit = z.number().int().positive().max(1_000_000_000);

/** A scope's limits, each optional: requests and tokens per 60 s window, and calls in flight at once. */
export const RateLimits = z.strictObject({
  rpm: limit.optional(),
  tpm: limit.optional(),
  maxConcurrent: limit.optional(),
});
export type RateLimits = z.infer<typeof RateLimits>;

/** One scope's limits as a key record carries them to ingress. */
export const ScopedRateLimits = RateLimits.extend({ scope: RateLimitScope, scopeId: z.string() });
export type ScopedRateLimits = z.infer<typeof ScopedRateLimits>;
