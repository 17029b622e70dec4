import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf, RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent, OnRequest } from '@polymux/messaging';

import { WebhookAdmin } from './webhook-admin.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';

/** Billing's durable consumer of crossed thresholds, which it delivers as webhooks. */
export const WEBHOOK_CONSUMER_GROUP = 'billing';

/** Billing's webhook subjects: control's admin API, and the dispatcher of budget alerts. */
@Controller()
export class WebhookHandler {
  constructor(
    private readonly admin: WebhookAdmin,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  @OnEvent(Subjects.budgetThresholdCrossed, WEBHOOK_CONSUMER_GROUP)
  onThresholdCrossed(@Payload() alert: PayloadOf<typeof Subjects.budgetThresholdCrossed>): Promise<void> {
    return this.dispatcher.dispatch(alert);
  }

  @OnRequest(Subjects.createWebhook)
  create(
    @Payload() request: RequestOf<typeof Subjects.createWebhook>,
  ): Promise<ResponseOf<typeof Subjects.createWebhook>> {
    return this.admin.create(request);
  }

  @OnRequest(Subjects.updateWebhook)
  async update(
    @Payload() request: RequestOf<typeof Subjects.updateWebhook>,
  ): Promise<ResponseOf<typeof Subjects.updateWebhook>> {
    return { endpoint: await this.admin.update(request) };
  }

  @OnRequest(Subjects.rotateWebhookSecret)
  rotate(
    @Payload() request: RequestOf<typeof Subjects.rotateWebhookSecret>,
  ): Promise<ResponseOf<typeof Subjects.rotateWebhookSecret>> {
    return this.admin.rotate(request);
  }

  @OnRequest(Subjects.deleteWebhook)
  async delete(
    @Payload() request: RequestOf<typeof Subjects.deleteWebhook>,
  ): Promise<ResponseOf<typeof Subjects.deleteWebhook>> {
    return { endpoint: await this.admin.delete(request) };
  }

  @OnRequest(Subjects.webhooks)
  async query(@Payload() request: RequestOf<typeof Subjects.webhooks>): Promise<ResponseOf<typeof Subjects.webhooks>> {
    return { endpoints: await this.admin.query(request) };
  }

  @OnRequest(Subjects.webhookDeliveries)
  async deliveries(
    @Payload() request: RequestOf<typeof Subjects.webhookDeliveries>,
  ): Promise<ResponseOf<typeof Subjects.webhookDeliveries>> {
    return { deliveries: await this.admin.deliveries(request) };
  }
}
