import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ErrorCode, Headers, PolymuxException, Subjects, countInputTokens } from '@polymux/contracts';
import { AnthropicErrorFilter } from '@polymux/http';
import { MessagingClient } from '@polymux/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ANTHROPIC_BETA_HEADER, withAnthropicBeta } from './anthropic/anthropic-beta';
import { checkAnthropicVersion } from './anthropic/anthropic-version';
import { fromMessagesBody } from './anthropic/anthropic-request.mapper';
import { anthropicMessages } from './anthropic/messages.format';
import { parseCountTokensBody } from './anthropic/messages.schema';
import { Authenticator } from './auth/authenticator';
import { CallService } from './call/call.service';
import { RateLimiter } from './rate-limits/rate-limiter';
import { headersNamed, serveCall } from './call/serve-call';
import { newRequestId } from './request-id';
import { SessionTraces } from './sessions/session-traces';

/** `POST /v1/messages` and `POST /v1/messages/count_tokens`, Anthropic's wire format, errors included. */
@Controller()
@UseFilters(AnthropicErrorFilter)
export class MessagesController {
  constructor(
    readonly keys: Authenticator,
    readonly calls: CallService,
    readonly limits: RateLimiter,
    readonly sessions: SessionTraces,
    private readonly messaging: MessagingClient,
  ) {}

  @Post('v1/messages')
  create(@Req() httpRequest: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    checkAnthropicVersion(httpRequest.headers);
    return serveCall(this, anthropicMessages, httpRequest, reply, body);
  }

  /**
   * The input tokens of a Messages request, without calling a model. The count is the gateway's
   * own, with the o200k tokenizer and OpenAI's message framing (the one used when a provider reports
   * no usage): exact for OpenAI models, an estimate for Claude models, whose tokenizer is not public.
   * The model must be one the key may use, as for a call; `anthropic-beta` is read as for a call
   * (betas off the allowlist are ignored and named in `x-polymux-dropped`).
   */
  @Post('v1/messages/count_tokens')
  async countTokens(
    @Req() httpRequest: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<void> {
    checkAnthropicVersion(httpRequest.headers);
    const requestId = newRequestId();
    void reply.header(Headers.requestId, requestId).header('request-id', requestId);
    const key = await this.keys.authenticate(httpRequest, requestId, 'messages');
    // The betas as /v1/messages reads them: the same allowlist, the same report of what is ignored.
    const dropped: string[] = [];
    const betas = headersNamed(httpRequest.headers, [ANTHROPIC_BETA_HEADER])[ANTHROPIC_BETA_HEADER];
    const request = withAnthropicBeta(fromMessagesBody(parseCountTokensBody(body)), betas, dropped);
    const { models } = await this.messaging.request(
      Subjects.listModels,
      { allowedModels: key.allowedModels },
      { requestId },
    );
    const named = (model: (typeof models)[number]) =>
      model.id === request.model || model.aliases.includes(request.model);
    if (request.model !== 'auto' && !models.some(named)) {
      throw new PolymuxException(ErrorCode.ModelNotFound, `model: ${request.model} is not a model this key may use`, {
        param: 'model',
      });
    }
    if (dropped.length > 0) void reply.header(Headers.dropped, dropped.join(','));
    await reply.status(200).send({ input_tokens: countInputTokens(request, request.model) });
  }
}
