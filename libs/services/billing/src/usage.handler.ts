import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent } from '@polymux/messaging';

import { CreditsService } from './credits.service';

/** Settles each call once its usage is recorded; a redelivered event settles nothing twice. */
@Controller()
export class UsageHandler {
  constructor(private readonly credits: CreditsService) {}

  @OnEvent(Subjects.usageRecorded, 'billing')
  onUsageRecorded(@Payload() usage: PayloadOf<typeof Subjects.usageRecorded>): Promise<void> {
    return this.credits.settle(usage);
  }
}
