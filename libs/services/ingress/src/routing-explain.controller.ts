import { Body, Controller, Options, Post, Req, Res, UseFilters } from '@nestjs/common';
import { Headers, Subjects, callScopesOf, intakeOf } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { anthropicMessages } from './anthropic/messages.format';
import { checkAnthropicVersion } from './anthropic/anthropic-version';
import { Authenticator } from './auth/authenticator';
import { headersNamed } from './call/serve-call';
import { CallerFormatErrorFilter } from './formats/caller-format.filter';
import { isAnthropicCaller } from './models/anthropic-models';
import { chatCompletions } from './openai/chat-completions.format';
import { newRequestId } from './request-id';

/**
 * Browsers may call explain from another origin — the console on control's port, in the distributed
 * mode — with the key in `Authorization` (or `x-api-key`), never a cookie, so any origin is allowed.
 * Explain only: no other data-plane endpoint answers CORS.
 */
export const EXPLAIN_CORS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'authorization, content-type, x-api-key, anthropic-version',
  'access-control-expose-headers': 'x-request-id, x-polymux-model, x-polymux-task',
  'access-control-max-age': '600',
};

/**
 * `POST /v1/routing/explain`: how a chat request would be routed for this key — task, complexity,
 * every candidate's score or reason for exclusion, the model and its fallbacks — decided by the
 * router and classifier exactly as for a call, without a reservation, a charge or a provider call.
 * The body is a Messages body for an Anthropic client (as `GET /v1/models` tells them apart), a
 * Chat Completions body otherwise, decoded by that format's own decoder; errors in the same format.
 */
@Controller()
@UseFilters(CallerFormatErrorFilter)
export class RoutingExplainController {
  constructor(
    private readonly keys: Authenticator,
    private readonly messaging: MessagingClient,
  ) {}

  /** The browser's preflight for a cross-origin explain. */
  @Options('v1/routing/explain')
  async preflight(@Res() reply: FastifyReply): Promise<void> {
    await reply.headers(EXPLAIN_CORS).status(204).send();
  }

  @Post('v1/routing/explain')
  async explain(@Req() httpRequest: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    // First, so that a refusal (a bad key, say) is readable by a cross-origin caller too.
    void reply.headers(EXPLAIN_CORS);
    const anthropic = isAnthropicCaller(httpRequest.headers);
    if (anthropic) checkAnthropicVersion(httpRequest.headers);
    const requestId = newRequestId();
    void reply.header(Headers.requestId, requestId);
    if (anthropic) void reply.header('request-id', requestId);
    const key = await this.keys.authenticate(httpRequest, requestId, 'routing.explain');
    const format = anthropic ? anthropicMessages : chatCompletions;
    const request = format.decode(body, {
      dataRetention: key.dataRetention === true,
      dropped: [],
      ...(format.headers ? { headers: headersNamed(httpRequest.headers, format.headers) } : {}),
    });
    const explanation = await this.messaging.request(
      Subjects.explain,
      {
        intake: intakeOf(request),
        allowedModels: key.allowedModels,
        ...(key.routingPolicy ? { policy: key.routingPolicy } : {}),
        // For budget pressure: the router reads the key's budgets, as a plan gets them with its hold.
        scopes: callScopesOf(key),
      },
      { requestId },
    );
    void reply.header(Headers.model, explanation.model).header(Headers.task, explanation.task);
    await reply.status(200).send(explanation);
  }
}
