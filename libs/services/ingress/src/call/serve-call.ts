import { trace } from '@opentelemetry/api';
import { ErrorCode, Headers, PolymuxException } from '@polymux/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { Authenticator } from '../auth/authenticator';
import { dropDisallowedFields } from '../dropped-fields';
import type { DecodeContext, InboundFormat } from '../formats/inbound-format';
import type { RateLimiter } from '../rate-limits/rate-limiter';
import { newRequestId } from '../request-id';
import type { SessionTraces } from '../sessions/session-traces';
import { callLabelsOf } from './call-labels';
import type { Call, CallService, OpenedStream } from './call.service';
import { Delivered } from './delivered';
import { describeRoute, routeOf } from './route';
import { SseWriter } from './sse-writer';
import { relayStream } from './stream-relay';

/** The named request headers that are present, repeated ones comma-joined. */
export const headersNamed = (headers: FastifyRequest['headers'], names: readonly string[]): Record<string, string> => {
  const named: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) named[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return named;
};

export interface CallDependencies {
  keys: Authenticator;
  calls: CallService;
  limits: RateLimiter;
  sessions: SessionTraces;
}

/**
 * One model call in any inbound format, the same pipeline for all: authenticate, decode, admit by
 * the rate limits (held until the call ends, however it ends), plan and reserve, open the first
 * candidate that answers, then relay a stream or settle and answer. Errors propagate to the
 * controller's filter, which answers them in the same format.
 */
export const serveCall = async (
  { keys, calls, limits, sessions }: CallDependencies,
  format: InboundFormat,
  httpRequest: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
): Promise<void> => {
  const requestId = newRequestId();
  trace.getActiveSpan()?.setAttributes({ 'polymux.request_id': requestId, 'polymux.service': 'ingress' });
  void reply.header(Headers.requestId, requestId);
  for (const header of format.requestIdHeaders ?? []) void reply.header(header, requestId);
  void reply.header(Headers.task, 'unknown');
  const key = await keys.authenticate(httpRequest, requestId, format.api);
  const decoding: DecodeContext = {
    dataRetention: key.dataRetention === true,
    dropped: [],
    ...(format.headers ? { headers: headersNamed(httpRequest.headers, format.headers) } : {}),
  };
  const request = format.decode(body, decoding);
  void reply.header(Headers.model, request.model);
  // Validated before the plan, so a bad label refuses the call before anything is reserved.
  const labels = callLabelsOf(httpRequest.headers, request.extra?.metadata);
  const call: Call = {
    requestId,
    api: format.api,
    key,
    request,
    startedAt: Date.now(),
    attempts: [],
    route: [],
    labels,
  };
  sessions.link(call);
  // Before the plan: a refused call reserves nothing; the headers go out with any answer, a refusal's too.
  call.rateLimit = await limits.admit(
    key,
    requestId,
    calls.tokenBound(call),
    (name, value) => void reply.header(name, value),
  );
  try {
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished)
        abort.abort(new PolymuxException(ErrorCode.InvalidRequest, 'client closed the connection'));
    });
    let opened: OpenedStream;
    try {
      const plan = await calls.plan(call);
      void reply.header(Headers.task, plan.task);
      // A name both the decoder and the plan's candidates drop (`anthropic_beta`) is named once.
      const dropped = [...new Set([...decoding.dropped, ...dropDisallowedFields(call, plan)])];
      if (dropped.length > 0) {
        void reply.header(Headers.dropped, dropped.join(','));
        // Field names only, never their values: the span carries no request content.
        trace.getActiveSpan()?.setAttribute('polymux.dropped_fields', dropped);
      }
      opened = await calls.open(call, abort.signal);
    } catch (error) {
      // A failed call says how far it got too (every attempt's failure), in the error answer's headers.
      if (call.plan) void reply.header(Headers.route, routeOf(call));
      await calls.failed(call, error);
      throw error;
    }
    describeRoute(reply, call, opened.deployment);
    if (request.stream) {
      reply.hijack();
      const sse = new SseWriter(reply.raw, abort.signal);
      sse.open(Object.fromEntries(Object.entries(reply.getHeaders()).map(([name, value]) => [name, String(value)])));
      return await relayStream(calls, call, opened, sse, format, abort.signal);
    }
    if (opened.first.type !== 'response') {
      const error = new PolymuxException(
        ErrorCode.UpstreamError,
        'the executor answered a non-streaming call with a stream',
      );
      await calls.failed(call, error);
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
      await calls.settle(call, opened.deployment, usage, 'success');
    } catch (error) {
      // Not recorded, so not delivered: the hold is released and the caller gets a 503 to retry.
      await calls.failed(call, error);
      throw error;
    }
    await reply.status(200).send(format.encode({ ...response, usage }, call.request));
  } finally {
    // A call settled ended its hold with its tokens already; any other used none.
    void call.rateLimit?.end(0);
  }
};
