import type { BeforeApplicationShutdown } from '@nestjs/common';
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

/** How long an outcome may wait for others before its batch goes, and the most a batch carries. */
export const OUTCOME_BATCH_MS = 50;
export const OUTCOME_BATCH_MAX = 500;

/**
 * Tells the routers how each upstream call ended (`health.outcomes.recorded.v2`, core NATS, one
 * router replica stores it for all): codes, timings and token counts only, never content. A call
 * its caller abandoned and a request the provider refused as invalid are not reported. Outcomes go
 * in batches, one message per `OUTCOME_BATCH_MS` at most (sooner when `OUTCOME_BATCH_MAX` are
 * waiting), so health costs a call no message of its own; the routers see an outcome that much later.
 */
@Injectable()
export class OutcomeReporter implements BeforeApplicationShutdown {
  private pending: DeploymentOutcome[] = [];
  private timer: NodeJS.Timeout | undefined;

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

  // Before the bus closes (`onApplicationShutdown`), so the last batch still goes out.
  beforeApplicationShutdown(): void {
    this.flush();
  }

  private emit(outcome: DeploymentOutcome): void {
    this.pending.push(outcome);
    if (this.pending.length >= OUTCOME_BATCH_MAX) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), OUTCOME_BATCH_MS).unref();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const outcomes = this.pending;
    this.pending = [];
    // Fire-and-forget on core NATS: health is advisory, and a lost batch costs its samples.
    void this.messaging
      .emit(Subjects.deploymentOutcomes, { outcomes }, { messageId: outcomes[0]!.deploymentId })
      .catch(() => undefined);
  }
}
