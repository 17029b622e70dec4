import { Injectable } from '@nestjs/common';
import type { DeploymentOutcome } from '@polymux/contracts';
import { ErrorCode, Subjects, isPolymuxException } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

/** Failures that say the deployment is unwell (rather than that the request was wrong). */
const UNWELL: ReadonlySet<string> = new Set([
  ErrorCode.UpstreamError,
  ErrorCode.UpstreamOverloaded,
  ErrorCode.UpstreamTimeout,
  ErrorCode.ServiceUnavailable,
  ErrorCode.Internal,
]);

/** One upstream call's timings: when it started and when its first and last answer frames went out. */
export interface CallTimes {
  startedAt: number;
  firstAt?: number;
  lastAt?: number;
}

const timings = ({ startedAt, firstAt }: CallTimes, now: number) => ({
  latencyMs: now - startedAt,
  ...(firstAt === undefined ? {} : { ttftMs: firstAt - startedAt }),
});

/** The output tokens and the time between the first and the last answer frame; none for an answer in one frame. */
const generation = ({ firstAt, lastAt }: CallTimes, outputTokens: number | undefined) =>
  outputTokens === undefined || firstAt === undefined || lastAt === undefined || lastAt <= firstAt
    ? {}
    : { outputTokens, generationMs: lastAt - firstAt };

/**
 * Tells the routers how each upstream call ended (`health.outcome.recorded.v1`, core NATS, one
 * router replica stores it for all): codes, timings and token counts only, never content. A call
 * its caller abandoned and a request the provider refused as invalid are not reported.
 */
@Injectable()
export class OutcomeReporter {
  constructor(private readonly messaging: MessagingClient) {}

  /** `outputTokens`: a streamed answer's, for its speed (see `DeploymentOutcome.outputTokens`). */
  succeeded(deploymentId: string, times: CallTimes, outputTokens?: number): void {
    this.emit({
      deploymentId,
      outcome: 'success',
      ...timings(times, Date.now()),
      ...generation(times, outputTokens),
    });
  }

  failed(deploymentId: string, times: CallTimes, error: unknown): void {
    const code = isPolymuxException(error) ? error.code : ErrorCode.Internal;
    const details = isPolymuxException(error) ? error.details : {};
    const rateLimited = code === ErrorCode.UpstreamRateLimited;
    if (!rateLimited && !UNWELL.has(code)) return;
    this.emit({
      deploymentId,
      outcome: rateLimited ? 'rate_limited' : 'failed',
      ...timings(times, Date.now()),
      errorCode: code,
      ...(details.upstreamStatus === undefined ? {} : { upstreamStatus: details.upstreamStatus }),
      ...(details.retryAfterSeconds === undefined ? {} : { retryAfterMs: details.retryAfterSeconds * 1_000 }),
    });
  }

  private emit(outcome: DeploymentOutcome): void {
    // Fire-and-forget on core NATS: health is advisory, and a lost outcome costs one sample.
    void this.messaging
      .emit(Subjects.deploymentOutcome, outcome, { messageId: outcome.deploymentId })
      .catch(() => undefined);
  }
}
