import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { actorOf } from '../admin/admin.controller';
import { inMemory, keysetOfView, paginate } from '../pagination';
import { CreateWebhook, DeliveryListParams, UpdateWebhook, WebhookListParams } from './webhook.dto';
import { WebhookService } from './webhook.service';

/**
 * Webhook endpoints for budget alerts: `POST /admin/v1/webhooks` (answers the signing secret, once),
 * `GET /admin/v1/webhooks?orgId=`, `GET`, `PATCH`, `DELETE /admin/v1/webhooks/{id}`, `POST
 * /admin/v1/webhooks/{id}/rotate-secret` (answers the new secret, once) and `GET
 * /admin/v1/webhooks/{id}/deliveries`.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class WebhookController {
  constructor(
    private readonly webhooks: WebhookService,
    private readonly access: AccessService,
  ) {}

  /** Webhook endpoints belong to an org; team roles hold no webhook permission. */
  private async endpoint(request: AdminRequest, permission: 'webhook.read' | 'webhook.write', endpointId: string) {
    const endpoint = await this.webhooks.get(endpointId);
    this.access.require(principalOf(request), permission, { orgId: endpoint.orgId }, `webhook ${endpointId}`);
    return endpoint;
  }

  @Post('webhooks')
  @Requires('webhook.write')
  @ApiContract({ summary: 'Create a webhook endpoint (the only answer with its secret)', body: CreateWebhook })
  async create(@Req() request: AdminRequest, @Body() body: unknown) {
    const params = parseBody(CreateWebhook, body);
    await this.access.requireOrg(principalOf(request), 'webhook.write', params.orgId, 'orgId');
    const { endpoint, secret } = await this.webhooks.create(actorOf(request), params);
    return { ...endpoint, secret };
  }

  @Get('webhooks')
  @Requires('webhook.read')
  @ApiContract({ summary: 'List the webhook endpoints of an organisation', query: WebhookListParams })
  async list(@Req() request: AdminRequest, @Query() query: unknown) {
    const { orgId, ...page } = parseBody(WebhookListParams, query);
    await this.access.requireOrg(principalOf(request), 'webhook.read', orgId, 'orgId');
    const source = inMemory(await this.webhooks.list(orgId), keysetOfView);
    const { rows, nextCursor } = await paginate('webhooks', page, source, keysetOfView);
    return { data: rows, nextCursor };
  }

  @Get('webhooks/:endpointId')
  @Requires('webhook.read')
  @ApiContract({ summary: 'Read a webhook endpoint' })
  get(@Req() request: AdminRequest, @Param('endpointId') endpointId: string) {
    return this.endpoint(request, 'webhook.read', endpointId);
  }

  @Patch('webhooks/:endpointId')
  @Requires('webhook.write')
  @ApiContract({ summary: 'Change a webhook endpoint', body: UpdateWebhook })
  async update(@Req() request: AdminRequest, @Param('endpointId') endpointId: string, @Body() body: unknown) {
    await this.endpoint(request, 'webhook.write', endpointId);
    return this.webhooks.update(actorOf(request), endpointId, parseBody(UpdateWebhook, body));
  }

  @Post('webhooks/:endpointId/rotate-secret')
  @HttpCode(200)
  @Requires('webhook.write')
  @ApiContract({ summary: 'Rotate the signing secret of a webhook endpoint' })
  async rotate(@Req() request: AdminRequest, @Param('endpointId') endpointId: string) {
    await this.endpoint(request, 'webhook.write', endpointId);
    const { endpoint, secret } = await this.webhooks.rotate(actorOf(request), endpointId);
    return { ...endpoint, secret };
  }

  @Delete('webhooks/:endpointId')
  @HttpCode(200)
  @Requires('webhook.write')
  @ApiContract({ summary: 'Delete a webhook endpoint' })
  async delete(@Req() request: AdminRequest, @Param('endpointId') endpointId: string) {
    await this.endpoint(request, 'webhook.write', endpointId);
    return this.webhooks.delete(actorOf(request), endpointId);
  }

  @Get('webhooks/:endpointId/deliveries')
  @Requires('webhook.read')
  @ApiContract({ summary: 'The latest deliveries of a webhook endpoint', query: DeliveryListParams })
  async deliveries(@Req() request: AdminRequest, @Param('endpointId') endpointId: string, @Query() query: unknown) {
    await this.endpoint(request, 'webhook.read', endpointId);
    const { limit, cursor } = parseBody(DeliveryListParams, query);
    const { rows, nextCursor } = await paginate(
      'webhook-deliveries',
      { limit, cursor },
      (after, size) => this.webhooks.deliveries(endpointId, size, after && { createdAt: after.at, id: after.id }),
      keysetOfView,
    );
    return { data: rows, nextCursor };
  }
}
