import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import type { AuditRecorded, EventContract, PayloadOf, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

/** How long a publish keeps retrying before the call gives up on it (see `CallService.settle`). */
export interface PublishBudget {
  deadlineMs: number;
}

const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1_000;

const meter = metrics.getMeter('@polymux/ingress');
const publishFailures = meter.createCounter('polymux.ingress.event_publish_failures', {
  description: 'usage or audit events JetStream did not acknowledge within the call’s publish budget',
});

/**
 * Publishes a call's usage (or, for a failed call, its audit record) to JetStream and resolves once JetStream acknowledged
 * them: the message id is derived from the request id, so a retry (after a lost ack, say) is
 * deduplicated and can never double-charge. Retries with backoff until the budget's deadline, then
 * rejects with `service_unavailable`. Publishes still running when the process is asked to stop
 * are awaited (SIGTERM → Nest shutdown hooks) before the bus closes.
 */
@Injectable()
export class CallEvents implements BeforeApplicationShutdown {
  private readonly logger = new Logger('CallEvents');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly messaging: MessagingClient) {}

  usage(event: UsageRecorded, budget: PublishBudget): Promise<void> {
    return this.track(this.publish(Subjects.usageRecorded, event, event.requestId, event.requestId, budget));
  }

  audit(event: AuditRecorded, budget: PublishBudget): Promise<void> {
    return this.track(this.publish(Subjects.auditRecorded, event, event.id, event.requestId ?? undefined, budget));
  }

  /** Drains: a stopping ingress answers nothing more and loses no acknowledged-pending event. */
  async beforeApplicationShutdown(): Promise<void> {
    // A publish may start while others drain (a failure audited after a refused usage): until none is left.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(publish: Promise<void>): Promise<void> {
    this.inFlight.add(publish);
    void publish.catch(() => undefined).finally(() => this.inFlight.delete(publish));
    return publish;
  }

  private async publish<C extends EventContract>(
    contract: C,
    payload: PayloadOf<C>,
    messageId: string,
    requestId: string | undefined,
    budget: PublishBudget,
  ): Promise<void> {
    const deadline = Date.now() + budget.deadlineMs;
    for (let backoff = FIRST_BACKOFF_MS; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      try {
        await this.messaging.emit(contract, payload, { messageId, requestId });
        return;
      } catch (error) {
        if (Date.now() + backoff >= deadline) {
          publishFailures.add(1, { subject: contract.subject });
          this.logger.error(
            `JetStream did not acknowledge ${contract.subject} for request ${requestId}: ${(error as Error).message}`,
          );
          throw new PolymuxException(ErrorCode.ServiceUnavailable, 'usage could not be recorded; try again');
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }
}
