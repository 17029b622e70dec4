import type { DeploymentOutcome } from '@polymux/contracts';

/** What the health store keeps per deployment (Redis hash fields, or a memory entry). */
export interface HealthRecord {
  /** Moving averages (EWMA) of successful calls' latency and time to first token, in ms. */
  latencyMs?: number;
  ttftMs?: number;
  /** Moving average (EWMA) of successful streamed calls' output speed, tokens per second (`speedSample`). */
  outputTokensPerSecond?: number;
  /** Moving average of failures and 429s over all outcomes, 0 to 1. */
  errorRate: number;
  samples: number;
  /** Failures in a row: the breaker opens at the threshold. */
  failures: number;
  /** Epoch ms until which the breaker is open; 0 when closed, in the past when half-open. */
  openUntil: number;
  /** Epoch ms until which the deployment cools down after a 429; 0 when it never did. */
  coolUntil: number;
}

/** When a breaker opens and how long it and a 429's cooldown last (`PolymuxConfig.health`). */
export interface HealthRules {
  breakerFailures: number;
  breakerOpenMs: number;
  cooldownMs: number;
}

/** Weight of the newest sample in every moving average. */
export const EWMA_ALPHA = 0.2;

/** A record nobody wrote for a deployment: no data, breaker closed. */
export const UNKNOWN_HEALTH: HealthRecord = { errorRate: 0, samples: 0, failures: 0, openUntil: 0, coolUntil: 0 };

const ewma = (previous: number | undefined, sample: number): number =>
  previous === undefined ? sample : previous + EWMA_ALPHA * (sample - previous);

/**
 * A successful call's output speed in tokens per second, from the counts its outcome carries;
 * undefined for a call that carries none (not streamed, no usage, one frame) or produced nothing.
 * Both stores feed their moving average with it (the Redis store passes it to its script).
 */
export const speedSample = (outcome: DeploymentOutcome): number | undefined =>
  outcome.outcome === 'success' && outcome.outputTokens && outcome.generationMs
    ? (outcome.outputTokens * 1_000) / outcome.generationMs
    : undefined;

/**
 * The breaker's state machine, one outcome at a time (the memory store runs it; the Redis store's
 * script is the same rules in Lua). A success closes the breaker; `breakerFailures` failures in a
 * row open it for `breakerOpenMs`, after which it is half-open (one probe call at a time): the
 * probe's success closes it, its failure opens it again. A 429 neither counts towards the breaker
 * nor resets it: it cools the deployment down for its `retry-after` (or `cooldownMs`).
 */
export const applyOutcome = (
  record: HealthRecord,
  outcome: DeploymentOutcome,
  now: number,
  rules: HealthRules,
): HealthRecord => {
  const next = { ...record, samples: record.samples + 1 };
  const errorRate = (failed: boolean) =>
    record.samples === 0 ? Number(failed) : ewma(record.errorRate, Number(failed));
  switch (outcome.outcome) {
    case 'success': {
      next.latencyMs = ewma(record.latencyMs, outcome.latencyMs);
      if (outcome.ttftMs !== undefined) next.ttftMs = ewma(record.ttftMs, outcome.ttftMs);
      const speed = speedSample(outcome);
      if (speed !== undefined) next.outputTokensPerSecond = ewma(record.outputTokensPerSecond, speed);
      next.errorRate = errorRate(false);
      next.failures = 0;
      next.openUntil = 0;
      return next;
    }
    case 'failed':
      next.errorRate = errorRate(true);
      next.failures = record.failures + 1;
      if (next.failures >= rules.breakerFailures) next.openUntil = now + rules.breakerOpenMs;
      return next;
    case 'rate_limited':
      next.errorRate = errorRate(true);
      next.coolUntil = Math.max(record.coolUntil, now + (outcome.retryAfterMs ?? rules.cooldownMs));
      return next;
  }
};

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A deployment's health as routing reads it (`HealthService.snapshot`). */
export interface DeploymentHealth {
  breaker: BreakerState;
  /** A 429's cooldown is running. */
  cooling: boolean;
  /** When an open breaker turns half-open or a cooldown ends, whichever is later; null when neither runs. */
  availableAt: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  /** Measured output speed, tokens per second; null until a streamed call was measured. */
  outputTokensPerSecond: number | null;
  errorRate: number;
  samples: number;
}

export const healthAt = (record: HealthRecord, now: number): DeploymentHealth => {
  const breaker: BreakerState = record.openUntil === 0 ? 'closed' : record.openUntil > now ? 'open' : 'half-open';
  const cooling = record.coolUntil > now;
  const waits = [breaker === 'open' ? record.openUntil : 0, cooling ? record.coolUntil : 0];
  const availableAt = Math.max(...waits);
  return {
    breaker,
    cooling,
    availableAt: availableAt > 0 ? availableAt : null,
    latencyMs: record.latencyMs ?? null,
    ttftMs: record.ttftMs ?? null,
    outputTokensPerSecond: record.outputTokensPerSecond ?? null,
    errorRate: record.errorRate,
    samples: record.samples,
  };
};
