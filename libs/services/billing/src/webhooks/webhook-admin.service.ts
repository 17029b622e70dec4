import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import type { RequestOf, Subjects, WebhookDelivery, WebhookEndpoint, WebhookQuery } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { BudgetRepository } from '../budgets/budget.repository';
import { WebhookSender } from './webhook-sender';
import { WebhookSecrets } from './webhook-secrets';
import type { StoredDelivery, StoredEndpoint } from './webhook.repository';
import { WebhookRepository } from './webhook.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const endpointView = (endpoint: StoredEndpoint): WebhookEndpoint => ({
  id: endpoint.id,
  orgId: endpoint.org_id,
  budgetId: endpoint.budget_id,
  url: endpoint.url,
  eventTypes: endpoint.event_types,
  enabled: endpoint.enabled,
  secretPrefix: endpoint.secret_prefix,
  createdAt: endpoint.created_at.toISOString(),
  updatedAt: endpoint.updated_at.toISOString(),
});

const deliveryView = (delivery: StoredDelivery): WebhookDelivery => ({
  id: delivery.delivery_id,
  endpointId: delivery.endpoint_id,
  eventType: delivery.event_type,
  status: delivery.status,
  attempts: delivery.attempts,
  lastStatusCode: delivery.last_status_code,
  lastError: delivery.last_error,
  createdAt: delivery.created_at.toISOString(),
  updatedAt: delivery.updated_at.toISOString(),
  deliveredAt: delivery.delivered_at?.toISOString() ?? null,
});

/**
 * Webhook endpoints as billing owns them (control's admin API checks the org and forwards here):
 * the URL is checked against the SSRF policy, a budget must be the org's, and the secret is
 * generated here and answered only on create and rotation.
 */
@Injectable()
export class WebhookAdmin {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly budgets: BudgetRepository,
    private readonly secrets: WebhookSecrets,
    private readonly sender: WebhookSender,
  ) {}

  async create(spec: RequestOf<typeof Subjects.createWebhook>): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    if (spec.budgetId !== null) {
      const budget = UUID.test(spec.budgetId) ? await this.budgets.find(spec.budgetId) : undefined;
      if (!budget || budget.org_id !== spec.orgId)
        throw new PolymuxException(ErrorCode.NotFound, `budget ${spec.budgetId} not found in org ${spec.orgId}`, {
          param: 'budgetId',
        });
    }
    const url = await this.sender.checkUrl(spec.url);
    const id = randomUUID();
    const secret = this.secrets.generate();
    const stored = await this.repository.insert({
      id,
      org_id: spec.orgId,
      budget_id: spec.budgetId,
      url,
      event_types: spec.eventTypes,
      enabled: spec.enabled,
      ...this.secrets.store(id, secret),
    });
    return { endpoint: endpointView(stored), secret };
  }

  async update({ endpointId, changes }: RequestOf<typeof Subjects.updateWebhook>): Promise<WebhookEndpoint> {
    await this.require(endpointId);
    const updated = await this.repository.update(endpointId, {
      ...(changes.url === undefined ? {} : { url: await this.sender.checkUrl(changes.url) }),
      ...(changes.eventTypes === undefined ? {} : { event_types: changes.eventTypes }),
      ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
    });
    if (!updated) throw this.missing(endpointId);
    return endpointView(updated);
  }

  /** A new secret, effective from the next attempt on (deliveries under way are signed with it). */
  async rotate({ endpointId }: RequestOf<typeof Subjects.rotateWebhookSecret>) {
    await this.require(endpointId);
    const secret = this.secrets.generate();
    const updated = await this.repository.update(endpointId, this.secrets.store(endpointId, secret));
    if (!updated) throw this.missing(endpointId);
    return { endpoint: endpointView(updated), secret };
  }

  async delete({ endpointId }: RequestOf<typeof Subjects.deleteWebhook>): Promise<WebhookEndpoint> {
    await this.require(endpointId);
    const deleted = await this.repository.delete(endpointId);
    if (!deleted) throw this.missing(endpointId);
    return endpointView(deleted);
  }

  async query(query: WebhookQuery): Promise<WebhookEndpoint[]> {
    if ('endpointId' in query) return [endpointView(await this.require(query.endpointId))];
    return (await this.repository.listByOrg(query.orgId)).map(endpointView);
  }

  async deliveries({
    endpointId,
    before,
    limit,
  }: RequestOf<typeof Subjects.webhookDeliveries>): Promise<WebhookDelivery[]> {
    await this.require(endpointId);
    const after = before ? { createdAt: new Date(before.createdAt), id: before.id } : undefined;
    return (await this.repository.recentDeliveries(endpointId, limit, after)).map(deliveryView);
  }

  private async require(endpointId: string): Promise<StoredEndpoint> {
    const endpoint = UUID.test(endpointId) ? await this.repository.find(endpointId) : undefined;
    if (!endpoint) throw this.missing(endpointId);
    return endpoint;
  }

  private missing(endpointId: string): PolymuxException {
    return new PolymuxException(ErrorCode.NotFound, `webhook ${endpointId} not found`);
  }
}
