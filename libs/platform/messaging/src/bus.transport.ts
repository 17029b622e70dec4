import type { CustomTransportStrategy, MessageHandler } from '@nestjs/microservices';
import { Server } from '@nestjs/microservices';
import type { Link, Span } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { ErrorPayload, EventContract, RequestContract } from '@polymux/contracts';
import { ErrorCode, Headers, NatsNames, PolymuxException, contractFor, isPolymuxException } from '@polymux/contracts';
import { lastValueFrom } from 'rxjs';

import type { BatchHandler, BatchResult, Bus, BusHeaders, BusMessage, IncomingMessage, Unsubscribe } from './bus/bus';
import { MessageTooLargeError, PoisonMessageError } from './bus/bus';
import { BusContext } from './bus-context';
import { decode, encode } from './codec';
import type { EventHandlerExtras } from './decorators';
import { recordError } from './error-type';
import { extractTraceContext, messagingAttributes, tracer } from './trace-context';

const toErrorPayload = (error: unknown): ErrorPayload =>
  isPolymuxException(error)
    ? error.toPayload()
    : { code: ErrorCode.Internal, message: 'internal error while handling the message' };

const END = new Uint8Array(0);
/** How long an event of a batch consumer waits for its batch to fill, unless `@OnEvent` says otherwise. */
const DEFAULT_BATCH_WAIT_MS = 100;

const decodeOrUndefined = (data: Uint8Array): unknown => {
  try {
    return decode(data);
  } catch {
    return undefined;
  }
};

/** Decodes and validates a durable event; one that cannot be is poison, never worth a retry. */
const parseEvent = (contract: EventContract, data: Uint8Array): unknown => {
  const parsed = contract.payload.safeParse(decodeOrUndefined(data));
  if (!parsed.success) throw new PoisonMessageError(contract.subject);
  return parsed.data;
};

/** What a responder answers when it cannot send a reply at all. */
const unsendable = (error: unknown): PolymuxException =>
  error instanceof MessageTooLargeError
    ? new PolymuxException(ErrorCode.UpstreamError, 'the reply is larger than the bus carries')
    : new PolymuxException(ErrorCode.Internal, 'the reply could not be sent');

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
          // Several services in one process (the embedded mode) may consume one event. Nest chains
          // their handlers on the subject, and calling the first would call them all; each is its
          // own consumer instead (its own batches, acks and redeliveries), so the chain is undone.
          const consumers: MessageHandler[] = [];
          for (let next: MessageHandler | undefined = handler; next; next = next.next) consumers.push(next);
          for (const consumer of consumers) {
            consumer.next = undefined;
            await this.consume(contract, consumer);
          }
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
    const extras = handler.extras as Partial<EventHandlerExtras> | undefined;
    const consumer = extras?.consumer;
    if (!consumer) throw new Error(`handler of ${contract.subject} names no consumer`);
    if (extras.batch !== undefined) {
      if (contract.delivery !== 'durable' || !contract.stream)
        throw new Error(`only durable events are consumed in batches, not ${contract.subject}`);
      this.unsubscribes.push(
        await this.bus.consumeDurableBatch(
          contract.stream,
          contract.subject,
          NatsNames.consumer(consumer, contract.subject),
          this.batchHandler(contract, handler, consumer),
          { maxBatch: extras.batch, maxWaitMs: extras.maxWaitMs ?? DEFAULT_BATCH_WAIT_MS },
        ),
      );
      return;
    }
    const run = (message: BusMessage) =>
      this.process(contract.subject, consumer, message.headers, SpanKind.CONSUMER, async () => {
        const payload = parseEvent(contract, message.data);
        await lastValueFrom(
          this.transformToObservable(
            await handler(payload, new BusContext(contract.subject, message.headers, new AbortController().signal)),
          ),
          { defaultValue: undefined },
        );
      });
    if (contract.delivery !== 'durable') {
      // A queue event reaches one replica of the consumer, a broadcast every replica.
      const options = contract.delivery === 'queue' ? { queue: consumer } : {};
      this.unsubscribes.push(
        this.bus.subscribe(contract.subject, (message) => void run(message).catch(() => undefined), options),
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

  /**
   * Validates each event of a batch: the valid ones go to the handler together (as an array), each
   * invalid one is reported as poison, to be dead-lettered alone. One span per batch, linked to the
   * trace of every event in it.
   */
  private batchHandler(contract: EventContract, handler: MessageHandler, consumer: string): BatchHandler {
    return (messages) =>
      this.processBatch(contract.subject, consumer, messages, async (): Promise<BatchResult> => {
        const failures = new Map<number, unknown>();
        const payloads: unknown[] = [];
        messages.forEach((message, index) => {
          try {
            payloads.push(parseEvent(contract, message.data));
          } catch (poison) {
            failures.set(index, poison);
          }
        });
        if (payloads.length > 0) {
          const batchContext = new BusContext(contract.subject, {}, new AbortController().signal);
          await lastValueFrom(this.transformToObservable(await handler(payloads, batchContext)), {
            defaultValue: undefined,
          });
        }
        return { failures };
      });
  }

  private answer(contract: RequestContract, handler: MessageHandler, message: IncomingMessage): Promise<void> {
    const reply = message.reply;
    if (!reply) return Promise.resolve();
    return this.process(contract.subject, contract.owner, message.headers, SpanKind.SERVER, async (span) => {
      const abort = new AbortController();
      let failed = false;
      /** The last frame went out as the stream's end: nothing more is sent, an error neither. */
      let ended = false;
      const fail = (error: unknown) => {
        if (failed || ended) return;
        failed = true;
        recordError(span, error);
        try {
          this.bus.publish(reply, {
            data: encode(toErrorPayload(error)),
            headers: { [Headers.error]: '1', [Headers.streamEnd]: '1' },
          });
        } catch {
          // Not even an error frame gets through (connection closed): the caller's timeout reports it.
        }
      };
      /**
       * Sends one frame; a frame that cannot be encoded or that the bus refuses (over its limit)
       * ends the call with an error frame. Never throws: it runs inside rxjs callbacks, where a
       * throw would surface as an uncaught exception and stop the process.
       */
      const respond = (frame: () => Uint8Array, headers: BusHeaders) => {
        if (failed || ended) return;
        try {
          this.bus.publish(reply, { data: frame(), headers });
          if (headers[Headers.streamEnd]) ended = true;
        } catch (error) {
          fail(unsendable(error));
          abort.abort();
        }
      };
      const parsed = contract.request.safeParse(decodeOrUndefined(message.data));
      if (!parsed.success) {
        fail(
          new PolymuxException(
            ErrorCode.InvalidMessage,
            `invalid ${contract.subject} payload: ${parsed.error.issues[0]?.message}`,
          ),
        );
        return;
      }
      const cancelSubject = message.headers[Headers.cancel];
      const stopWatching =
        contract.streaming && cancelSubject ? this.bus.watchCancel(cancelSubject, () => abort.abort()) : undefined;
      try {
        const result$ = this.transformToObservable(
          await handler(parsed.data, new BusContext(contract.subject, message.headers, abort.signal)),
        );
        await new Promise<void>((resolve) => {
          const subscription = result$.subscribe({
            next: (value) =>
              respond(
                () => encode(value),
                !contract.streaming || contract.lastFrame?.(value) ? { [Headers.streamEnd]: '1' } : {},
              ),
            error: (error) => {
              fail(error);
              resolve();
            },
            complete: () => {
              if (contract.streaming && !ended) respond(() => END, { [Headers.streamEnd]: '1' });
              resolve();
            },
          });
          abort.signal.addEventListener('abort', () => {
            subscription.unsubscribe();
            resolve();
          });
          if (abort.signal.aborted) {
            // A frame was refused while the observable emitted synchronously.
            subscription.unsubscribe();
            resolve();
          }
        });
      } catch (error) {
        fail(error);
      } finally {
        stopWatching?.();
      }
    });
  }

  private processBatch<T>(
    subject: string,
    service: string,
    messages: BusMessage[],
    work: () => Promise<T>,
  ): Promise<T> {
    const links: Link[] = [];
    for (const message of messages) {
      const linked = trace.getSpanContext(extractTraceContext(message.headers));
      if (linked && isSpanContextValid(linked)) links.push({ context: linked });
    }
    // A batch belongs to no single trace: its own root, linked to the trace of every event in it.
    const span = tracer.startSpan(
      `process ${subject}`,
      {
        kind: SpanKind.CONSUMER,
        links,
        attributes: {
          ...messagingAttributes(subject, 'process'),
          'messaging.batch.message_count': messages.length,
          'polymux.service': service,
        },
      },
      ROOT_CONTEXT,
    );
    return context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
      try {
        return await work();
      } catch (error) {
        recordError(span, error);
        throw error;
      } finally {
        span.end();
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
        recordError(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }
}
