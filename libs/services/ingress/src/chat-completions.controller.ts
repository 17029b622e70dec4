import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { ErrorCode, Headers, PolymuxException } from '@polymux/contracts';
import { OpenAiErrorFilter } from '@polymux/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ApiKeyCache } from './auth/api-key.cache';
import { authenticate } from './auth/api-key.guard';
import type { Call, OpenedStream } from './call/call.service';
import { CallService } from './call/call.service';
import { Delivered } from './call/delivered';
import { SseWriter } from './call/sse-writer';
import { relayStream } from './call/stream-relay';
import { dropDisallowedFields } from './dropped-fields';
import { parseChatCompletionBody } from './openai/chat-completion.schema';
import { fromChatCompletionBody } from './openai/openai-request.mapper';
import { toChatCompletion } from './openai/openai-response.mapper';
import { newRequestId } from './request-id';

/** `POST /v1/chat/completions`, OpenAI's wire format, streaming or not. */
@Controller()
@UseFilters(OpenAiErrorFilter)
export class ChatCompletionsController {
  constructor(
    private readonly keys: ApiKeyCache,
    private readonly calls: CallService,
  ) {}

  @Post('v1/chat/completions')
  async create(@Req() httpRequest: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    const requestId = newRequestId();
    trace.getActiveSpan()?.setAttributes({ 'polymux.request_id': requestId, 'polymux.service': 'ingress' });
    void reply.header(Headers.requestId, requestId);
    void reply.header(Headers.task, 'unknown');
    const key = await authenticate(this.keys, httpRequest.headers, requestId);
    const request = fromChatCompletionBody(parseChatCompletionBody(body));
    void reply.header(Headers.model, request.model);
    const call: Call = { requestId, key, request, startedAt: Date.now(), attempts: [] };
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished)
        abort.abort(new PolymuxException(ErrorCode.InvalidRequest, 'client closed the connection'));
    });
    let opened: OpenedStream;
    try {
      const plan = await this.calls.plan(call);
      void reply.header(Headers.task, plan.task);
      const dropped = dropDisallowedFields(call, plan);
      if (dropped.length > 0) void reply.header(Headers.dropped, dropped.join(','));
      opened = await this.calls.open(call, abort.signal);
    } catch (error) {
      await this.calls.failed(call, error);
      throw error;
    }
    void reply.header(Headers.model, opened.deployment.model);
    if (request.stream) {
      reply.hijack();
      const sse = new SseWriter(reply.raw, abort.signal);
      sse.open(Object.fromEntries(Object.entries(reply.getHeaders()).map(([name, value]) => [name, String(value)])));
      return relayStream(this.calls, call, opened, sse, abort.signal);
    }
    if (opened.first.type !== 'response') {
      const error = new PolymuxException(
        ErrorCode.UpstreamError,
        'the executor answered a non-streaming call with a stream',
      );
      await this.calls.failed(call, error);
      throw error;
    }
    const { response } = opened.first;
    const end = await opened.rest.next();
    if (!end.done) await opened.rest.return?.(undefined);
    const delivered = new Delivered();
    delivered.response(response);
    const usage = delivered.usage(request, opened.deployment.upstreamModel);
    try {
      // Durable before the answer: JetStream acknowledged the charge before a byte of the body is sent.
      await this.calls.settle(call, opened.deployment, usage, 'success');
    } catch (error) {
      // Not recorded, so not delivered: the hold is released and the caller gets a 503 to retry.
      await this.calls.failed(call, error);
      throw error;
    }
    await reply.status(200).send(toChatCompletion({ ...response, usage }));
  }
}
