import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';

import { PlanAdmin } from './plan-admin.service';

/** Billing's plan subjects, for control's admin API. */
@Controller()
export class PlanHandler {
  constructor(private readonly admin: PlanAdmin) {}

  @OnRequest(Subjects.setPlan)
  set(@Payload() request: RequestOf<typeof Subjects.setPlan>): Promise<ResponseOf<typeof Subjects.setPlan>> {
    return this.admin.set(request);
  }

  @OnRequest(Subjects.plans)
  query(@Payload() request: RequestOf<typeof Subjects.plans>): Promise<ResponseOf<typeof Subjects.plans>> {
    return this.admin.query(request.orgId, request.accounts);
  }
}
