import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent } from '@polymux/messaging';

import { CreditsService } from './credits.service';

/** Billing's queue group (and durable consumer) for usage events. */
export const USAGE_CONSUMER_GROUP = 'billing';

/** Usage events settled together: one ledger transaction per batch (their parameters stay far below Postgres's 65,535). */
export const SETTLEMENT_BATCH = 256;

/** Settles calls once their usage is recorded, in batches; a redelivered event settles nothing twice. */
@Controller()
export class UsageHandler {
  constructor(private readonly credits: CreditsService) {}

  @OnEvent(Subjects.usageRecorded, USAGE_CONSUMER_GROUP, { batch: SETTLEMENT_BATCH })
  onUsageRecorded(@Payload() usages: Array<PayloadOf<typeof Subjects.usageRecorded>>): Promise<void> {
    return this.credits.settleAll(usages);
  }
}
