import { Injectable, Logger } from '@nestjs/common';
import type { AuditRecorded, EventContract, PayloadOf, UsageRecorded } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

const MAX_ATTEMPTS = 8;

/**
 * Publishes a call's usage and audit facts to JetStream (message id derived from the request id,
 * so a retry can never double-charge), off the response path and retried with backoff.
 */
@Injectable()
export class CallEvents {
  private readonly logger = new Logger('CallEvents');

  constructor(private readonly messaging: MessagingClient) {}

  usage(event: UsageRecorded): Promise<void> {
    return this.publish(Subjects.usageRecorded, event, event.requestId, event.requestId);
  }

  audit(event: AuditRecorded): Promise<void> {
    return this.publish(Subjects.auditRecorded, event, event.id, event.requestId ?? undefined);
  }

  private async publish<C extends EventContract>(
    contract: C,
    payload: PayloadOf<C>,
    messageId: string,
    requestId?: string,
  ): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.messaging.emit(contract, payload, { messageId, requestId });
        return;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) {
          this.logger.error(
            `could not publish ${contract.subject} for request ${requestId}: ${(error as Error).message}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }
}
