import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { OpenAiErrorFilter } from '@polymux/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Authenticator } from './auth/authenticator';
import { CallService } from './call/call.service';
import { RateLimiter } from './rate-limits/rate-limiter';
import { serveCall } from './call/serve-call';
import { chatCompletions } from './openai/chat-completions.format';
import { SessionTraces } from './sessions/session-traces';

/** `POST /v1/chat/completions`, OpenAI's wire format, streaming or not. */
@Controller()
@UseFilters(OpenAiErrorFilter)
export class ChatCompletionsController {
  constructor(
    readonly keys: Authenticator,
    readonly calls: CallService,
    readonly limits: RateLimiter,
    readonly sessions: SessionTraces,
  ) {}

  @Post('v1/chat/completions')
  create(@Req() httpRequest: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    return serveCall(this, chatCompletions, httpRequest, reply, body);
  }
}
