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

import { AdminAuthGuard, type AdminRequest } from '../access/admin-auth.guard';
import { actorOf } from '../admin/admin.controller';
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
  constructor(private readonly webhooks: WebhookService) {}

  @Post('webhooks')
  async create(@Req() request: AdminRequest, @Body() body: unknown) {
    const { endpoint, secret } = await this.webhooks.create(actorOf(request), parseBody(CreateWebhook, body));
    return { ...endpoint, secret };
  }

  @Get('webhooks')
  async list(@Query() query: unknown) {
    return { data: await this.webhooks.list(parseBody(WebhookListParams, query).orgId) };
  }

  @Get('webhooks/:endpointId')
  get(@Param('endpointId') endpointId: string) {
    return this.webhooks.get(endpointId);
  }

  @Patch('webhooks/:endpointId')
  update(@Req() request: AdminRequest, @Param('endpointId') endpointId: string, @Body() body: unknown) {
    return this.webhooks.update(actorOf(request), endpointId, parseBody(UpdateWebhook, body));
  }

  @Post('webhooks/:endpointId/rotate-secret')
  @HttpCode(200)
  async rotate(@Req() request: AdminRequest, @Param('endpointId') endpointId: string) {
    const { endpoint, secret } = await this.webhooks.rotate(actorOf(request), endpointId);
    return { ...endpoint, secret };
  }

  @Delete('webhooks/:endpointId')
  @HttpCode(200)
  delete(@Req() request: AdminRequest, @Param('endpointId') endpointId: string) {
    return this.webhooks.delete(actorOf(request), endpointId);
  }

  @Get('webhooks/:endpointId/deliveries')
  async deliveries(@Param('endpointId') endpointId: string, @Query() query: unknown) {
    return { data: await this.webhooks.deliveries(endpointId, parseBody(DeliveryListParams, query).limit) };
  }
}
