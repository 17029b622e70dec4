import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent } from '@polymux/messaging';

import { HealthService } from './health.service';

/** Each executor outcome, consumed by one router replica (a queue group) and stored for all of them. */
@Controller()
export class HealthHandler {
  constructor(private readonly health: HealthService) {}

  @OnEvent(Subjects.deploymentOutcome, 'router')
  recorded(@Payload() outcome: PayloadOf<typeof Subjects.deploymentOutcome>): Promise<void> {
    return this.health.record(outcome);
  }
}
