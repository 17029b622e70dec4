import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { Headers, Subjects } from '@polymux/contracts';
import { OpenAiErrorFilter } from '@polymux/http';
import { MessagingClient } from '@polymux/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ApiKeyCache } from './auth/api-key.cache';
import { authenticate } from './auth/api-key.guard';
import { newRequestId } from './request-id';

/** `GET /v1/models`: the catalog's models and aliases this key may use, in OpenAI's list format. */
@Controller()
@UseFilters(OpenAiErrorFilter)
export class ModelsController {
  constructor(
    private readonly keys: ApiKeyCache,
    private readonly messaging: MessagingClient,
  ) {}

  @Get('v1/models')
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const requestId = newRequestId();
    void reply.header(Headers.requestId, requestId).header(Headers.model, 'none').header(Headers.task, 'none');
    const key = await authenticate(this.keys, request.headers, requestId);
    const { models } = await this.messaging.request(
      Subjects.listModels,
      { allowedModels: key.allowedModels },
      { requestId },
    );
    await reply.send({
      object: 'list',
      data: models.map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.ownedBy })),
    });
  }
}
