import { Body, Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { ChatChunk, Usage } from '@polymux/contracts';
import { ErrorCode, Headers, PolymuxException } from '@polymux/contracts';
import { OpenAiErrorFilter, toErrorPayload, toOpenAiError } from '@polymux/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ApiKeyCache } from './auth/api-key.cache';
import { authenticate } from './auth/api-key.guard';
import type { Call, OpenedStream } from './call/call.service';
import { CallService } from './call/call.service';
import { SseWriter } from './call/sse-writer';
import { dropDisallowedFields } from './dropped-fields';
import { parseChatCompletionBody } from './openai/chat-completion.schema';
import { fromChatCompletionBody } from './openai/openai-request.mapper';
import { toChatCompletion, toChatCompletionChunk, toUsageChunk } from './openai/openai-response.mapper';
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
      await this.calls.reserve(call);
      opened = await this.calls.open(call, abort.signal);
    } catch (error) {
      this.calls.failed(call, error);
      throw error;
    }
    void reply.header(Headers.model, opened.deployment.model);
    if (request.stream) return this.relay(call, opened, reply, abort.signal);
    if (opened.first.type !== 'response') {
      const error = new PolymuxException(
        ErrorCode.UpstreamError,
        'the executor answered a non-streaming call with a stream',
      );
      this.calls.failed(call, error);
      throw error;
    }
    const { response } = opened.first;
    const end = await opened.rest.next();
    if (!end.done) await opened.rest.return?.(undefined);
    this.calls.succeeded(call, opened.deployment, response.usage, 'success');
    await reply.status(200).send(toChatCompletion(response));
  }

  /** Relays chunks as they arrive; a client that leaves is charged for what was produced until then. */
  private async relay(call: Call, opened: OpenedStream, reply: FastifyReply, signal: AbortSignal): Promise<void> {
    reply.hijack();
    const sse = new SseWriter(reply.raw, signal);
    sse.open(Object.fromEntries(Object.entries(reply.getHeaders()).map(([name, value]) => [name, String(value)])));
    const includeUsage = call.request.includeUsage === true;
    let usage: Usage | null = null;
    let produced = 0;
    let template: ChatChunk | undefined;
    try {
      for (let frame = opened.first; ;) {
        if (frame.type === 'chunk') {
          if (frame.chunk.usage) usage = frame.chunk.usage;
          if (frame.chunk.choices.length > 0) {
            template = frame.chunk;
            produced += frame.chunk.choices.filter((choice) => choice.content || choice.toolCalls?.length).length;
            await sse.data(toChatCompletionChunk(frame.chunk, includeUsage));
          }
        } else if (frame.type === 'done') {
          usage = frame.usage ?? usage;
        }
        const next = await opened.rest.next();
        if (next.done) break;
        frame = next.value;
      }
      const finalUsage = usage ?? { inputTokens: call.plan?.signals.estimatedInputTokens ?? 0, outputTokens: produced };
      if (includeUsage && template) await sse.data(toUsageChunk(template, finalUsage));
      await sse.data('[DONE]');
      sse.end();
      this.calls.succeeded(call, opened.deployment, finalUsage, 'success');
    } catch (error) {
      if (signal.aborted) {
        // Cancelled by the client: the provider was paid for what it produced, and so are we.
        const inputTokens = usage?.inputTokens ?? call.plan?.signals.estimatedInputTokens ?? 0;
        this.calls.succeeded(
          call,
          opened.deployment,
          { inputTokens, outputTokens: usage?.outputTokens ?? produced },
          'cancelled',
        );
        sse.end();
        return;
      }
      this.calls.failed(call, error);
      await sse.data(toOpenAiError(toErrorPayload(error)));
      sse.end();
    }
  }
}
