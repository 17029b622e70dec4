import type { CustomTransportStrategy, MessageHandler } from '@nestjs/microservices';
import { Server } from '@nestjs/microservices';
import type { Span } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { ErrorPayload, EventContract, RequestContract } from '@polymux/contracts';
import { ErrorCode, Headers, NatsNames, PolymuxException, contractFor, isPolymuxException } from '@polymux/contracts';
import { lastValueFrom } from 'rxjs';

import type { Bus, BusHeaders, BusMessage, IncomingMessage, Unsubscribe } from './bus/bus';
import { BusContext } from './bus-context';
import { decode, encode } from './codec';
import { extractTraceContext, messagingAttributes, tracer } from './trace-context';

const toErrorPayload = (error: unknown): ErrorPayload =>
  isPolymuxException(error)
    ? error.toPayload()
    : { code: ErrorCode.Internal, message: 'internal error while handling the message' };

const END = new Uint8Array(0);

/**
 * Nest microservice transport over a `Bus`: every `@OnRequest` handler answers on its subject in a
 * queue group named after the owning service, every `@OnEvent` handler consumes durably or as a
 * broadcast. Payloads are validated against the contract before a handler sees them.
 */
export class BusTransport extends Server implements CustomTransportStrategy {
  private readonly unsubscribes: Unsubscribe[] = [];

  constructor(private readonly bus: Bus) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        const contract = contractFor(pattern);
        if (!contract) throw new Error(`no contract declares subject ${pattern}`);
        if (contract.kind === 'request') {
          this.unsubscribes.push(
            this.bus.subscribe(contract.subject, (message) => void this.answer(contract, handler, message), {
              queue: contract.owner,
            }),
          );
        } else {
          await this.consume(contract, handler);
        }
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  on(): void {
    // The bus reports no transport events.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  private async consume(contract: EventContract, handler: MessageHandler): Promise<void> {
    const consumer = (handler.extras as { consumer?: string } | undefined)?.consumer;
    if (!consumer) throw new Error(`handler of ${contract.subject} names no consumer`);
    const run = (message: BusMessage) =>
      this.process(contract.subject, consumer, message.headers, SpanKind.CONSUMER, async () => {
        const payload = contract.payload.parse(decode(message.data));
        await lastValueFrom(
          this.transformToObservable(
            await handler(payload, new BusContext(contract.subject, message.headers, new AbortController().signal)),
          ),
          { defaultValue: undefined },
        );
      });
    if (contract.delivery === 'broadcast') {
      this.unsubscribes.push(
        this.bus.subscribe(contract.subject, (message) => void run(message).catch(() => undefined)),
      );
      return;
    }
    if (!contract.stream) throw new Error(`durable event ${contract.subject} names no stream`);
    this.unsubscribes.push(
      await this.bus.consumeDurable(
        contract.stream,
        contract.subject,
        NatsNames.consumer(consumer, contract.subject),
        run,
      ),
    );
  }

  private answer(contract: RequestContract, handler: MessageHandler, message: IncomingMessage): Promise<void> {
    const reply = message.reply;
    if (!reply) return Promise.resolve();
    const respond = (data: Uint8Array, headers: BusHeaders) => this.bus.publish(reply, { data, headers });
    const fail = (error: unknown) =>
      respond(encode(toErrorPayload(error)), { [Headers.error]: '1', [Headers.streamEnd]: '1' });
    return this.process(contract.subject, contract.owner, message.headers, SpanKind.SERVER, async (span) => {
      const parsed = contract.request.safeParse(decode(message.data));
      if (!parsed.success) {
        fail(
          new PolymuxException(
            ErrorCode.InvalidMessage,
            `invalid ${contract.subject} payload: ${parsed.error.issues[0]?.message}`,
          ),
        );
        return;
      }
      const abort = new AbortController();
      const cancelSubject = message.headers[Headers.cancel];
      const stopWatching =
        contract.streaming && cancelSubject ? this.bus.subscribe(cancelSubject, () => abort.abort()) : undefined;
      try {
        const result$ = this.transformToObservable(
          await handler(parsed.data, new BusContext(contract.subject, message.headers, abort.signal)),
        );
        await new Promise<void>((resolve) => {
          const subscription = result$.subscribe({
            next: (value) => respond(encode(value), contract.streaming ? {} : { [Headers.streamEnd]: '1' }),
            error: (error) => {
              span.recordException(error as Error);
              fail(error);
              resolve();
            },
            complete: () => {
              if (contract.streaming) respond(END, { [Headers.streamEnd]: '1' });
              resolve();
            },
          });
          abort.signal.addEventListener('abort', () => {
            subscription.unsubscribe();
            resolve();
          });
        });
      } catch (error) {
        span.recordException(error as Error);
        fail(error);
      } finally {
        stopWatching?.();
      }
    });
  }

  private process(
    subject: string,
    service: string,
    headers: BusHeaders,
    kind: SpanKind,
    work: (span: Span) => Promise<void>,
  ): Promise<void> {
    const parent = extractTraceContext(headers);
    const span = tracer.startSpan(
      `process ${subject}`,
      { kind, attributes: { ...messagingAttributes(subject, 'process'), 'polymux.service': service } },
      parent,
    );
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        await work(span);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }
}
