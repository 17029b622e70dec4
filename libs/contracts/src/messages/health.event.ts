import { z } from 'zod';

/**
 * How one upstream call of a deployment ended, as the executor saw it: what the router's health
 * state (latency, time to first token, error rate, breaker, cooldown) is fed with. Metadata only,
 * never request or response content; a call the caller abandoned, or that the provider refused as
 * the caller's own mistake (a 4xx other than 429), says nothing about the deployment and is not sent.
 */
export const DeploymentOutcome = z.object({
  deploymentId: z.string(),
  /** `failed`: a 5xx, timeout or connection failure; `rate_limited`: a 429. */
  outcome: z.enum(['success', 'failed', 'rate_limited']),
  /** From the start of the upstream call to its end (or its failure). */
  latencyMs: z.number().nonnegative(),
  /** From the start of the upstream call to the first answer frame; absent when none came. */
  ttftMs: z.number().nonnegative().optional(),
  /**
   * What a successful streamed call's output speed is computed from: its output tokens (the
   * provider's count, less hidden reasoning, which is done before the first frame) and the
   * milliseconds from the first answer frame to the last. Both absent when the call was not
   * streamed, the provider reported no usage, or the answer came in one frame.
   */
  outputTokens: z.number().int().nonnegative().optional(),
  generationMs: z.number().positive().optional(),
  errorCode: z.string().optional(),
  upstreamStatus: z.number().int().optional(),
  /** The provider's `retry-after`, in milliseconds, when it sent one. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type DeploymentOutcome = z.infer<typeof DeploymentOutcome>;

/**
 * The outcomes one executor replica saw in a short window, in the order they ended: one message for
 * many calls, so reporting health costs the hot path no message of its own.
 */
export const DeploymentOutcomes = z.object({ outcomes: z.array(DeploymentOutcome).min(1).max(1_000) });
export type DeploymentOutcomes = z.infer<typeof DeploymentOutcomes>;
