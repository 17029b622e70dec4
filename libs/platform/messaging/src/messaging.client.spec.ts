import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ErrorCode, Headers, Subjects } from '@polymux/contracts';
import { pollUntil } from '@polymux/testing';

import { MessageTooLargeError } from './bus/bus';
import { MemoryBus } from './bus/memory.bus';
import { encode } from './codec';
import { MessagingClient } from './messaging.client';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const request = { accountId: 'a1' };

describe('MessagingClient', () => {
  let bus: MemoryBus;
  let client: MessagingClient;

  beforeEach(() => {
    exporter.reset();
    bus = new MemoryBus();
    client = new MessagingClient(bus);
  });
  afterEach(() => bus.close());

  it('sends the request id in headers, and decodes the reply', async () => {
    bus.subscribe(Subjects.balance.subject, (message) =>
      bus.publish(message.reply!, {
        data: encode({ headers: message.headers }),
        headers: { [Headers.streamEnd]: '1' },
      }),
    );
    const reply = (await client.request(Subjects.balance, request, { requestId: 'req-1' })) as unknown as {
      headers: Record<string, string>;
    };
    expect(reply.headers).toMatchObject({ [Headers.requestId]: 'req-1' });
  });

  it('adds no span of its own to a hop that succeeds: the responder is parented on the caller span', async () => {
    bus.subscribe(Subjects.balance.subject, (message) =>
      bus.publish(message.reply!, {
        data: encode({ headers: message.headers }),
        headers: { [Headers.streamEnd]: '1' },
      }),
    );
    const caller = trace.getTracer('test').startSpan('caller');
    const reply = (await context.with(trace.setSpan(context.active(), caller), () =>
      client.request(Subjects.balance, request),
    )) as unknown as { headers: Record<string, string> };
    caller.end();
    const { traceId, spanId } = caller.spanContext();
    expect(reply.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['caller']);
  });

  it('turns no responders into service_unavailable and silence into timeout, spans naming only the code', async () => {
    await expect(client.request(Subjects.balance, request)).rejects.toMatchObject({
      code: ErrorCode.ServiceUnavailable,
    });
    bus.subscribe(Subjects.balance.subject, () => undefined);
    await expect(client.request(Subjects.balance, request, { timeoutMs: 20 })).rejects.toMatchObject({
      code: ErrorCode.Timeout,
    });
    const statuses = exporter.getFinishedSpans().map((span) => span.status.message);
    expect(statuses).toEqual([ErrorCode.ServiceUnavailable, ErrorCode.Timeout]);
  });

  it('turns a request the bus cannot carry into payload_too_large', async () => {
    const capped = new MemoryBus();
    capped.request = () => Promise.reject(new MessageTooLargeError(20_000_000, 16_000_000));
    await expect(new MessagingClient(capped).request(Subjects.balance, request)).rejects.toMatchObject({
      code: ErrorCode.PayloadTooLarge,
    });
    await capped.close();
  });

  it('rethrows an error reply as the domain exception it carries', async () => {
    bus.subscribe(Subjects.balance.subject, (message) =>
      bus.publish(message.reply!, {
        data: encode({ code: ErrorCode.InsufficientCredits, message: 'not enough credits' }),
        headers: { [Headers.error]: '1', [Headers.streamEnd]: '1' },
      }),
    );
    await expect(client.request(Subjects.balance, request)).rejects.toMatchObject({
      code: ErrorCode.InsufficientCredits,
    });
    expect(exporter.getFinishedSpans()[0].status.message).toBe(ErrorCode.InsufficientCredits);
  });

  it('publishes durable events once per message id and broadcasts without persistence', async () => {
    const durable: string[] = [];
    await bus.consumeDurable('AUDIT', Subjects.auditRecorded.subject, 'audit', async (message) => {
      durable.push(message.headers[Headers.requestId]);
    });
    const broadcast: string[] = [];
    bus.subscribe(Subjects.keyRevoked.subject, (message) => broadcast.push(message.subject));
    const fact = { id: 'f1' } as never;
    await client.emit(Subjects.auditRecorded, fact, { messageId: 'm1', requestId: 'r1' });
    await client.emit(Subjects.auditRecorded, fact, { messageId: 'm1', requestId: 'r1' });
    await client.emit(Subjects.keyRevoked, { keyId: 'k', keyHash: 'h' }, { messageId: 'k' });
    await pollUntil(
      () => durable.length + broadcast.length,
      (count) => count >= 2,
    );
    expect(durable).toEqual(['r1']);
    expect(broadcast).toEqual([Subjects.keyRevoked.subject]);
  });
});
