import type { ScopedRateLimits } from '@polymux/contracts';

import type { ScopeUse } from './rate-limit.store';

/** A duration as OpenAI's `x-ratelimit-reset-*` headers spell it (Go's notation): `250ms`, `12.5s`, `1m0s`. */
export const resetDuration = (ms: number): string => {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1_000) return `${whole}ms`;
  const minutes = Math.floor(whole / 60_000);
  const seconds = `${Number(((whole % 60_000) / 1_000).toFixed(3))}s`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
};

/** The scope with the least left of one limit, and what is left (never below zero); undefined when none sets it. */
const tightest = (
  limits: readonly ScopedRateLimits[],
  use: readonly ScopeUse[],
  limitOf: (limits: ScopedRateLimits) => number | undefined,
  usedOf: (use: ScopeUse) => number,
): { limit: number; remaining: number } | undefined => {
  let found: { limit: number; remaining: number } | undefined;
  for (const [index, scope] of limits.entries()) {
    const limit = limitOf(scope);
    if (limit === undefined) continue;
    const remaining = Math.max(0, limit - usedOf(use[index]!));
    if (!found || remaining < found.remaining) found = { limit, remaining };
  }
  return found;
};

/**
 * `x-ratelimit-*` as OpenAI sends them, for the scope with the least left of each (key, project,
 * team or org): the limit, what is left in the current window and when the window resets. A
 * call's answer carries them after its admission; a refusal carries what was left before it.
 */
export const rateLimitHeaders = (
  limits: readonly ScopedRateLimits[],
  use: readonly ScopeUse[],
  resetMs: number,
): Record<string, string> => {
  const reset = resetDuration(resetMs);
  const requests = tightest(
    limits,
    use,
    (scope) => scope.rpm,
    (scope) => scope.requests,
  );
  const tokens = tightest(
    limits,
    use,
    (scope) => scope.tpm,
    (scope) => scope.tokens,
  );
  return {
    ...(requests
      ? {
          'x-ratelimit-limit-requests': String(requests.limit),
          'x-ratelimit-remaining-requests': String(requests.remaining),
          'x-ratelimit-reset-requests': reset,
        }
      : {}),
    ...(tokens
      ? {
          'x-ratelimit-limit-tokens': String(tokens.limit),
          'x-ratelimit-remaining-tokens': String(tokens.remaining),
          'x-ratelimit-reset-tokens': reset,
        }
      : {}),
  };
};
