import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { ModelList, Plan, RequestOf, RoutingExplanation } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { BusContext, OnRequest } from '@polymux/messaging';

import { RouterService } from './router.service';

@Controller()
export class RouterHandler {
  constructor(private readonly router: RouterService) {}

  @OnRequest(Subjects.plan)
  plan(@Payload() payload: RequestOf<typeof Subjects.plan>, @Ctx() context: BusContext): Promise<Plan> {
    return this.router.plan(payload, context.requestId);
  }

  @OnRequest(Subjects.explain)
  explain(
    @Payload() payload: RequestOf<typeof Subjects.explain>,
    @Ctx() context: BusContext,
  ): Promise<RoutingExplanation> {
    return this.router.explain(payload, context.requestId);
  }

  @OnRequest(Subjects.listModels)
  listModels(@Payload() payload: RequestOf<typeof Subjects.listModels>): ModelList {
    return this.router.listModels(payload.allowedModels);
  }
}
