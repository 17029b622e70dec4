import { trace } from '@opentelemetry/api';
import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { Headers } from '@polymux/contracts';
import { OpenAiErrorFilter } from '@polymux/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Authenticator } from './auth/authenticator';
import { CallService } from './call/call.service';
import type { Embedded, EmbeddingsCall } from './embeddings/embeddings.service';
import { EmbeddingsService } from './embeddings/embeddings.service';
import { decodeEmbeddingsBody } from './openai/embeddings.schema';
import { toEmbeddingsList } from './openai/embeddings.response';
import { callLabelsOf } from './call/call-labels';
import { describeRoute } from './call/route';
import { RateLimiter } from './rate-limits/rate-limiter';
import { newRequestId } from './request-id';
import { SessionTraces } from './sessions/session-traces';

/** `POST /v1/embeddings`, OpenAI's wire format: planned, reserved and charged like a chat call. */
@Controller()
@UseFilters(OpenAiErrorFilter)
export class EmbeddingsController {
  constructor(
    private readonly keys: Authenticator,
    private readonly calls: CallService,
    private readonly embeddings: EmbeddingsService,
    private readonly limits: RateLimiter,
    private readonly sessions: SessionTraces,
  ) {}

  @Post('v1/embeddings')
  async create(@Req() httpRequest: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    const requestId = newRequestId();
    trace.getActiveSpan()?.setAttributes({ 'polymux.request_id': requestId, 'polymux.service': 'ingress' });
    void reply.header(Headers.requestId, requestId).header(Headers.task, 'embeddings');
    const key = await this.keys.authenticate(httpRequest, requestId, 'embeddings');
    const { request, encoding } = decodeEmbeddingsBody(body);
    void reply.header(Headers.model, request.model);
    const labels = callLabelsOf(httpRequest.headers);
    const call: EmbeddingsCall = {
      requestId,
      api: 'embeddings',
      key,
      request,
      startedAt: Date.now(),
      attempts: [],
      route: [],
      labels,
    };
    this.sessions.link(call);
    call.rateLimit = await this.limits.admit(key, requestId, this.calls.tokenBound(call), (name, value) => {
      void reply.header(name, value);
    });
    let embedded: Embedded;
    try {
      await this.calls.plan(call);
      embedded = await this.embeddings.embed(call);
      // Durable before the answer: JetStream acknowledged the charge before a byte of the body is sent.
      await this.embeddings.settle(call, embedded);
    } catch (error) {
      await this.calls.failed(call, error);
      throw error;
    } finally {
      void call.rateLimit?.end(0); // a no-op once settled: the settlement ended it with its tokens
    }
    const { deployment, response, inputTokens } = embedded;
    describeRoute(reply, call, deployment);
    await reply.status(200).send(toEmbeddingsList(response, deployment.model, inputTokens, encoding));
  }
}
