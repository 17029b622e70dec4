import { Injectable } from '@nestjs/common';
import type { WebhookDelivery, WebhookEndpoint } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { z } from 'zod';

import { ControlRepository } from '../control.repository';
import type { Actor, Change } from '../control.service';
import { ControlService, isUuid } from '../control.service';
import type { CreateWebhook, UpdateWebhook } from './webhook.dto';

/**
 * An endpoint as the audit trail records it: its URL's host only (a path or query may carry a token,
 * as Slack's do), never the secret (its shown prefix tells rotations apart).
 */
const endpointState = (endpoint: WebhookEndpoint) => ({
  host: new URL(endpoint.url).host,
  budgetId: endpoint.budgetId,
  eventTypes: endpoint.eventTypes,
  enabled: endpoint.enabled,
  secretPrefix: endpoint.secretPrefix,
});

/**
 * Webhook endpoints through the admin API: control checks the org, billing (which signs and
 * delivers the alerts) stores the endpoint and its secret (`billing.webhook.*.v1`). Every change is
 * audited here, never with the secret or the URL's query.
 */
@Injectable()
export class WebhookService {
  constructor(
    private readonly tenancy: ControlRepository,
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
  ) {}

  async create(actor: Actor, body: z.infer<typeof CreateWebhook>) {
    await this.requireOrg(body.orgId);
    const created = await this.messaging.request(Subjects.createWebhook, body);
    await this.audited(
      actor,
      'webhook.create',
      created.endpoint,
      {},
      { before: null, after: endpointState(created.endpoint) },
    );
    return created;
  }

  async list(orgId: string): Promise<WebhookEndpoint[]> {
    await this.requireOrg(orgId);
    return (await this.messaging.request(Subjects.webhooks, { orgId })).endpoints;
  }

  async get(endpointId: string): Promise<WebhookEndpoint> {
    return (await this.messaging.request(Subjects.webhooks, { endpointId })).endpoints[0]!;
  }

  async update(actor: Actor, endpointId: string, changes: z.infer<typeof UpdateWebhook>): Promise<WebhookEndpoint> {
    const before = await this.find(endpointId);
    const { endpoint } = await this.messaging.request(Subjects.updateWebhook, { endpointId, changes });
    await this.audited(
      actor,
      'webhook.update',
      endpoint,
      { fields: Object.keys(changes).sort().join(',') },
      { before: before ? endpointState(before) : null, after: endpointState(endpoint) },
    );
    return endpoint;
  }

  async rotate(actor: Actor, endpointId: string) {
    const before = await this.find(endpointId);
    const rotated = await this.messaging.request(Subjects.rotateWebhookSecret, { endpointId });
    await this.audited(
      actor,
      'webhook.rotate_secret',
      rotated.endpoint,
      {},
      { before: before ? endpointState(before) : null, after: endpointState(rotated.endpoint) },
    );
    return rotated;
  }

  async delete(actor: Actor, endpointId: string): Promise<WebhookEndpoint> {
    const { endpoint } = await this.messaging.request(Subjects.deleteWebhook, { endpointId });
    await this.audited(actor, 'webhook.delete', endpoint, {}, { before: endpointState(endpoint), after: null });
    return endpoint;
  }

  /** Newest first, older than `before` when given. */
  async deliveries(
    endpointId: string,
    limit: number,
    before?: { createdAt: string; id: string },
  ): Promise<WebhookDelivery[]> {
    return (
      await this.messaging.request(Subjects.webhookDeliveries, { endpointId, limit, ...(before ? { before } : {}) })
    ).deliveries;
  }

  private async requireOrg(orgId: string): Promise<void> {
    const org = isUuid(orgId) ? await this.tenancy.findOrg(orgId) : undefined;
    if (!org) throw new PolymuxException(ErrorCode.NotFound, `org ${orgId} not found`, { param: 'orgId' });
  }

  private audited(
    actor: Actor,
    action: string,
    endpoint: WebhookEndpoint,
    metadata: Record<string, string>,
    change: Change,
  ): Promise<void> {
    return this.control.audit(
      actor,
      action,
      `webhook:${endpoint.id}`,
      endpoint.orgId,
      null,
      { host: new URL(endpoint.url).host, budgetId: endpoint.budgetId, enabled: String(endpoint.enabled), ...metadata },
      change,
    );
  }

  /** The endpoint as it is before a change, or undefined when billing knows none (the change then says so). */
  private async find(endpointId: string): Promise<WebhookEndpoint | undefined> {
    return (await this.messaging.request(Subjects.webhooks, { endpointId })).endpoints[0];
  }
}
