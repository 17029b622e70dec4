import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent } from '@polymux/messaging';

import { HealthService } from './health.service';

/** Each executor's batch of outcomes, consumed by one router replica (a queue group) and stored for all of them. */
@Controller()
export class HealthHandler {
  constructor(private readonly health: HealthService) {}

  @OnEvent(Subjects.deploymentOutcomes, 'router')
  recorded(@Payload() { outcomes }: PayloadOf<typeof Subjects.deploymentOutcomes>): Promise<void> {
    return this.health.recordAll(outcomes);
  }
}
