import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';

import { ControlService } from './control.service';
import { RoutingPolicyService } from './policies/routing-policy.service';

@Controller()
export class KeyHandler {
  constructor(
    private readonly control: ControlService,
    private readonly policies: RoutingPolicyService,
  ) {}

  @OnRequest(Subjects.resolveKey)
  async resolve(
    @Payload() payload: RequestOf<typeof Subjects.resolveKey>,
  ): Promise<ResponseOf<typeof Subjects.resolveKey>> {
    const key = await this.control.resolveKey(payload.keyHash);
    if (!key) return { key: null };
    // The key's policy travels with it to ingress, and from there with each plan to the router.
    const routingPolicy = await this.policies.resolvedFor(key);
    return { key: routingPolicy ? { ...key, routingPolicy } : key };
  }
}
