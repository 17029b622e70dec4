import { Inject, Injectable } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import type {
  ErrorPayload,
  EventContract,
  PayloadOf,
  RequestContract,
  RequestOf,
  ResponseOf,
} from '@polymux/contracts';
import { ErrorCode, Headers, PolymuxException } from '@polymux/contracts';

import type { Bus, BusHeaders, BusMessage } from './bus/bus';
import { BusTimeoutError, MessageTooLargeError, NoRespondersError } from './bus/bus';
import { decode, encode } from './codec';
import { recordError } from './error-type';
import { injectTraceContext, messagingAttributes, tracer } from './trace-context';
import { BUS } from './tokens';

export interface CallOptions {
  timeoutMs?: number;
  requestId?: string;
  headers?: BusHeaders;
}

export interface StreamCallOptions extends CallOptions {
  firstTimeoutMs: number;
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 5_000;

const translate = (error: unknown, subject: string): unknown => {
  if (error instanceof NoRespondersError) {
    return new PolymuxException(ErrorCode.ServiceUnavailable, `no ${subject.split('.')[0]} service is available`);
  }
  if (error instanceof BusTimeoutError) {
    return new PolymuxException(ErrorCode.Timeout, `${subject.split('.')[0]} did not answer in time`);
  }
  if (error instanceof MessageTooLargeError) {
    return new PolymuxException(ErrorCode.PayloadTooLarge, 'the request is too large to forward');
  }
  return error;
};

const unwrapReply = (reply: BusMessage): unknown => {
  const payload = decode(reply.data);
  if (reply.headers[Headers.error]) throw PolymuxException.fromPayload(payload as ErrorPayload);
  return payload;
};

/**
 * One span per hop: the responder's `process` span, parented on the caller's active span through
 * the headers. A hop that fails on the caller's side (no responders, timeout, an error reply) gets
 * its `send` span too, backdated to the request's start, so the failure is visible in the trace.
 */
const failedSend = (subject: string, startTime: number, error: unknown): unknown => {
  const translated = translate(error, subject);
  const span = tracer.startSpan(`send ${subject}`, {
    kind: SpanKind.CLIENT,
    attributes: messagingAttributes(subject, 'send'),
    startTime,
  });
  recordError(span, translated);
  span.end();
  return translated;
};

/** Typed request/reply, streamed request and event publishing over whichever bus is configured. */
@Injectable()
export class MessagingClient {
  constructor(@Inject(BUS) private readonly bus: Bus) {}

  async request<C extends RequestContract>(
    contract: C,
    payload: RequestOf<C>,
    options: CallOptions = {},
  ): Promise<ResponseOf<C>> {
    const startTime = Date.now();
    try {
      const reply = await this.bus.request(
        contract.subject,
        { data: encode(payload), headers: this.headers(options) },
        options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
      return unwrapReply(reply) as ResponseOf<C>;
    } catch (error) {
      throw failedSend(contract.subject, startTime, error);
    }
  }

  async *stream<C extends RequestContract>(
    contract: C,
    payload: RequestOf<C>,
    options: StreamCallOptions,
  ): AsyncGenerator<ResponseOf<C>> {
    const startTime = Date.now();
    try {
      const replies = this.bus.requestMany(
        contract.subject,
        { data: encode(payload), headers: this.headers(options) },
        options,
      );
      for await (const reply of replies) yield unwrapReply(reply) as ResponseOf<C>;
    } catch (error) {
      throw failedSend(contract.subject, startTime, error);
    }
  }

  /** Durable events are persisted (JetStream) before this resolves; broadcast and queue events are fire-and-forget. */
  async emit<C extends EventContract>(
    contract: C,
    payload: PayloadOf<C>,
    options: { messageId: string; requestId?: string },
  ): Promise<void> {
    const headers = injectTraceContext({});
    if (options.requestId) headers[Headers.requestId] = options.requestId;
    const message = { data: encode(payload), headers };
    if (contract.delivery !== 'durable') {
      this.bus.publish(contract.subject, message);
      return;
    }
    await this.bus.publishDurable(contract.subject, message, options.messageId);
  }

  private headers(options: CallOptions): BusHeaders {
    const headers = injectTraceContext({ ...options.headers });
    if (options.requestId) headers[Headers.requestId] = options.requestId;
    return headers;
  }
}
