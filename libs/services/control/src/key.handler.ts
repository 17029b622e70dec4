import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf, RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent, OnRequest } from '@polymux/messaging';

import { ControlService } from './control.service';
import { RoutingPolicyService } from './policies/routing-policy.service';
import { RateLimitService } from './rate-limits/rate-limit.service';

@Controller()
export class KeyHandler {
  constructor(
    private readonly control: ControlService,
    private readonly policies: RoutingPolicyService,
    private readonly rateLimits: RateLimitService,
  ) {}

  @OnRequest(Subjects.resolveKey)
  async resolve(
    @Payload() payload: RequestOf<typeof Subjects.resolveKey>,
  ): Promise<ResponseOf<typeof Subjects.resolveKey>> {
    const { key, refusal } = await this.control.lookupKey(payload.keyHash);
    if (!key) return refusal ? { key: null, refusal } : { key: null };
    // The key's policy travels with it to ingress, and from there with each plan to the router; its
    // rate limits (its own, its project's, team's and org's) to ingress, which enforces them.
    const [routingPolicy, rateLimits] = await Promise.all([
      this.policies.resolvedFor(key),
      this.rateLimits.forKey(key),
    ]);
    return { key: { ...key, ...(routingPolicy ? { routingPolicy } : {}), ...(rateLimits ? { rateLimits } : {}) } };
  }

  /** An ingress replica's batch of key uses (`key.uses.recorded.v1`), stored by one control replica. */
  @OnEvent(Subjects.keyUses, 'control')
  used(@Payload() { uses }: PayloadOf<typeof Subjects.keyUses>): Promise<void> {
    return this.control.recordKeyUses(uses);
  }
}
