import { Body, Controller, Delete, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ErrorCode, Headers, PolymuxException } from '@polymux/contracts';
import { OpenAiErrorFilter } from '@polymux/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Authenticator } from '../auth/authenticator';
import { CallService } from '../call/call.service';
import { RateLimiter } from '../rate-limits/rate-limiter';
import { serveCall } from '../call/serve-call';
import { newRequestId } from '../request-id';
import { SessionTraces } from '../sessions/session-traces';
import { responses } from './responses.format';

/**
 * `POST /v1/responses`, OpenAI's Responses API, streaming or not, and stateless: the routes that
 * read, delete or cancel a stored response answer a 404 saying that Polymux stores none.
 */
@Controller()
@UseFilters(OpenAiErrorFilter)
export class ResponsesController {
  constructor(
    readonly keys: Authenticator,
    readonly calls: CallService,
    readonly limits: RateLimiter,
    readonly sessions: SessionTraces,
  ) {}

  @Post('v1/responses')
  create(@Req() httpRequest: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    return serveCall(this, responses, httpRequest, reply, body);
  }

  @Get('v1/responses/:id')
  retrieve(@Req() httpRequest: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<never> {
    return this.notStored(httpRequest, reply);
  }

  @Get('v1/responses/:id/input_items')
  inputItems(@Req() httpRequest: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<never> {
    return this.notStored(httpRequest, reply);
  }

  @Delete('v1/responses/:id')
  remove(@Req() httpRequest: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<never> {
    return this.notStored(httpRequest, reply);
  }

  @Post('v1/responses/:id/cancel')
  cancel(@Req() httpRequest: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<never> {
    return this.notStored(httpRequest, reply);
  }

  /** Authenticated like any call (a bad key is still a 401), then a 404: there is nothing to find. */
  private async notStored(httpRequest: FastifyRequest, reply: FastifyReply): Promise<never> {
    const requestId = newRequestId();
    void reply.header(Headers.requestId, requestId).header(Headers.model, 'none').header(Headers.task, 'none');
    await this.keys.authenticate(httpRequest, requestId, 'responses');
    throw new PolymuxException(
      ErrorCode.NotFound,
      'responses are not stored: Polymux keeps no responses or conversation state, so none can be retrieved, listed, cancelled or deleted',
    );
  }
}
