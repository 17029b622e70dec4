import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from '@opentelemetry/api';
import { metrics } from '@opentelemetry/api';
import type { UsageRecorded } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

/** A call whose settled cost exceeded its hold: what was held, what was charged, the difference. */
export interface Overrun {
  usage: UsageRecorded;
  held: bigint;
  charged: bigint;
  overrun: bigint;
}

/** Makes every overrun visible: an audit fact (metadata only) and two counters. */
@Injectable()
export class OverrunReporter {
  private readonly logger = new Logger('Billing');
  private readonly overruns: Counter;
  private readonly amount: Counter;

  constructor(private readonly messaging: MessagingClient) {
    // Resolved here, not at import, so the meter provider registered at start (or by a test) is the one used.
    const meter = metrics.getMeter('@polymux/billing');
    this.overruns = meter.createCounter('polymux.billing.overruns', {
      description: 'Calls whose settled cost exceeded what was held for them',
    });
    this.amount = meter.createCounter('polymux.billing.overrun_amount', {
      description: 'Nano-USD charged beyond the holds of overrunning calls',
      unit: 'nano-USD',
    });
  }

  /** Counts (and logs) an overrun recorded for the first time. */
  count(overrun: Overrun): void {
    const { usage, held } = overrun;
    this.logger.warn(`request ${usage.requestId} cost ${overrun.overrun} nano-USD more than its hold of ${held}`);
    this.overruns.add(1);
    // A counter takes a float: exact below 2^53 nano-USD (9 million USD), close enough above.
    this.amount.add(Number(overrun.overrun));
  }

  /** Publishes the audit fact; its id is per request, so a redelivered settlement audits once. */
  async audit({ usage, held, charged, overrun }: Overrun): Promise<void> {
    await this.messaging.emit(
      Subjects.auditRecorded,
      {
        id: `${usage.requestId}:billing.overrun`,
        category: 'call',
        action: 'billing.overrun',
        outcome: 'success',
        actorKeyId: usage.keyId,
        orgId: usage.orgId,
        projectId: usage.projectId,
        requestId: usage.requestId,
        target: usage.deploymentId,
        metadata: {
          heldNanoUsd: held.toString(),
          chargedNanoUsd: charged.toString(),
          overrunNanoUsd: overrun.toString(),
        },
        occurredAt: usage.occurredAt,
      },
      { messageId: `${usage.requestId}:billing.overrun`, requestId: usage.requestId },
    );
  }
}
