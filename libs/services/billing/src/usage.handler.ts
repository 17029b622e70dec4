import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent } from '@polymux/messaging';

import { CreditsService } from './credits.service';

/** Billing's queue group (and durable consumer) for usage events. */
export const USAGE_CONSUMER_GROUP = 'billing';

/** Settles each call once its usage is recorded; a redelivered event settles nothing twice. */
@Controller()
export class UsageHandler {
  constructor(private readonly credits: CreditsService) {}

  @OnEvent(Subjects.usageRecorded, USAGE_CONSUMER_GROUP)
  onUsageRecorded(@Payload() usage: PayloadOf<typeof Subjects.usageRecorded>): Promise<void> {
    return this.credits.settle(usage);
  }
}
