import type { MessageHandler } from '@nestjs/microservices';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AuditRecorded, ChatRequest, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Headers, PolymuxException, Streams, Subjects, intakeOf } from '@polymux/contracts';
import { pollUntil } from '@polymux/testing';
import { Observable } from 'rxjs';

import type { BusMessage } from './bus/bus';
import { MessageTooLargeError } from './bus/bus';
import { MemoryBus } from './bus/memory.bus';
import type { BusContext } from './bus-context';
import { BusTransport } from './bus.transport';
import { decode, encode } from './codec';
import { MessagingClient } from './messaging.client';
import { injectTraceContext } from './trace-context';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const SECRET = 'prompt-echo-in-an-error-message';
const LIMIT_BYTES = 1_000;

/** The memory bus with a size cap, as NATS has, to see what the transport does with a refused reply. */
class CappedBus extends MemoryBus {
  override publish(subject: string, message: BusMessage, reply?: string): void {
    if (message.data.byteLength > LIMIT_BYTES) throw new MessageTooLargeError(message.data.byteLength, LIMIT_BYTES);
    super.publish(subject, message, reply);
  }
}

const chat = (model: string): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
  stream: false,
});
const planOf = (request: ChatRequest) => ({
  intake: intakeOf(request),
  allowedModels: null,
  accountId: 'account-test',
  reservationTtlSeconds: 60,
});
const usageFixture: UsageRecorded = {
  requestId: 'req',
  accountId: 'account',
  reservationId: 'req',
  orgId: 'org',
  teamId: null,
  projectId: 'project',
  keyId: 'key',
  requestedModel: 'fast',
  model: 'gpt-test',
  deploymentId: 'sim/gpt-test',
  provider: 'openai',
  task: 'chat',
  api: 'chat.completions',
  inputTokens: 1,
  outputTokens: 1,
  cost: '1',
  outcome: 'success',
  stream: false,
  attempts: [],
  durationMs: 1,
  occurredAt: new Date().toISOString(),
};
const invokePayload = {
  deploymentId: 'sim/gpt-test',
  request: chat('fast'),
};

describe('BusTransport with MessagingClient over the memory bus', () => {
  let bus: CappedBus;
  let transport: BusTransport;
  let client: MessagingClient;
  let streamSignal: AbortSignal | undefined;
  const events: string[] = [];
  const auditBatches: string[][] = [];

  beforeEach(async () => {
    exporter.reset();
    events.length = 0;
    auditBatches.length = 0;
    bus = new CappedBus({ maxDeliveries: 2, retryBaseDelayMs: 1 });
    client = new MessagingClient(bus);
    transport = new BusTransport(bus);
    transport.addHandler(Subjects.plan.subject, (async ({ intake: request }: { intake: { model: string } }) => {
      if (request.model === 'throws') throw new Error(SECRET);
      if (request.model === 'domain') throw new PolymuxException(ErrorCode.UpstreamError, `upstream: ${SECRET}`);
      if (request.model === 'huge') return { text: 'x'.repeat(LIMIT_BYTES * 2) };
      if (request.model === 'unencodable') return { tokens: 1n };
      return { ok: request.model };
    }) as MessageHandler);
    transport.addHandler(Subjects.invoke.subject, (async (payload: { request: ChatRequest }, context: BusContext) => {
      streamSignal = context.signal;
      if (payload.request.model === 'whole')
        return new Observable<object>((subscriber) => {
          subscriber.next({ type: 'response', response: { id: 'r1' } });
          subscriber.complete();
        });
      return new Observable<object>((subscriber) => {
        subscriber.next({ type: 'chunk', n: 1 });
        const timer = setInterval(() => subscriber.next({ type: 'chunk', text: 'y'.repeat(LIMIT_BYTES * 2) }), 5);
        return () => clearInterval(timer);
      });
    }) as MessageHandler);
    transport.addHandler(
      Subjects.usageRecorded.subject,
      (async (event: UsageRecorded) => {
        events.push(event.requestId);
      }) as MessageHandler,
      true,
      { consumer: 'billing' },
    );
    transport.addHandler(
      Subjects.auditRecorded.subject,
      (async (batch: AuditRecorded[]) => {
        auditBatches.push(batch.map((fact) => fact.id));
      }) as MessageHandler,
      true,
      { consumer: 'audit', batch: 10, maxWaitMs: 20 },
    );
    transport.addHandler(
      Subjects.keyRevoked.subject,
      (async (event: { keyId: string }) => {
        events.push(`revoked ${event.keyId}`);
      }) as MessageHandler,
      true,
      { consumer: 'ingress' },
    );
    await new Promise<void>((resolve, reject) => void transport.listen((error) => (error ? reject(error) : resolve())));
  });

  afterEach(async () => {
    await transport.close();
    await bus.close();
  });

  const spansText = () =>
    JSON.stringify(
      exporter
        .getFinishedSpans()
        .map((span) => ({ status: span.status, events: span.events, attributes: span.attributes })),
    );

  it('answers a valid request and refuses an invalid one with an invalid_message error', async () => {
    expect(await client.request(Subjects.plan, planOf(chat('fine')))).toEqual({ ok: 'fine' });
    const invalid = client.request(Subjects.plan, { ...planOf(chat('x')), intake: { model: 3 } } as never);
    await expect(invalid).rejects.toMatchObject({ code: ErrorCode.InvalidMessage });
  });

  it('answers a handler crash as an internal error, with no error text in any span', async () => {
    const failed = client.request(Subjects.plan, planOf(chat('throws')));
    await expect(failed).rejects.toMatchObject({ code: ErrorCode.Internal });
    await expect(failed).rejects.not.toMatchObject({ message: expect.stringContaining(SECRET) });
    await pollUntil(
      () => exporter.getFinishedSpans().length,
      (count) => count >= 2,
    );
    expect(spansText()).not.toContain(SECRET);
    const server = exporter.getFinishedSpans().find((span) => span.name === `process ${Subjects.plan.subject}`)!;
    expect(server.status.message).toBe('Error');
    expect(server.attributes['error.type']).toBe('Error');
    expect(server.events.map((event) => event.attributes?.['exception.type'])).toEqual(['Error']);
  });

  it('keeps a domain error code for the caller and only the code in the spans', async () => {
    const failed = client.request(Subjects.plan, planOf(chat('domain')));
    await expect(failed).rejects.toMatchObject({ code: ErrorCode.UpstreamError });
    await pollUntil(
      () => exporter.getFinishedSpans().length,
      (count) => count >= 2,
    );
    expect(spansText()).not.toContain(SECRET);
    const client_ = exporter.getFinishedSpans().find((span) => span.name === `send ${Subjects.plan.subject}`)!;
    expect(client_.status.message).toBe(ErrorCode.UpstreamError);
  });

  it('answers a reply the bus refuses with an error frame instead of crashing', async () => {
    const failed = client.request(Subjects.plan, planOf(chat('huge')));
    await expect(failed).rejects.toMatchObject({ code: ErrorCode.UpstreamError });
    expect(await client.request(Subjects.plan, planOf(chat('after')))).toEqual({
      ok: 'after',
    });
  });

  it('answers a reply that cannot be encoded with an internal error instead of crashing', async () => {
    const failed = client.request(Subjects.plan, planOf(chat('unencodable')));
    await expect(failed).rejects.toMatchObject({ code: ErrorCode.Internal });
  });

  it('ends a stream whose frame the bus refuses with an error frame and stops the handler', async () => {
    const frames: unknown[] = [];
    let error: unknown;
    try {
      for await (const reply of bus.requestMany(
        Subjects.invoke.subject,
        { data: encode(invokePayload), headers: {} },
        { firstTimeoutMs: 1_000, idleTimeoutMs: 1_000 },
      )) {
        if (reply.headers[Headers.error]) throw PolymuxException.fromPayload(decode(reply.data) as never);
        frames.push(decode(reply.data));
      }
    } catch (caught) {
      error = caught;
    }
    expect(frames).toEqual([{ type: 'chunk', n: 1 }]);
    expect(error).toMatchObject({ code: ErrorCode.UpstreamError });
    expect(streamSignal?.aborted).toBe(true);
  });

  it('sends a last frame as the stream end: one message answers, with no end message and no cancel', async () => {
    const published: Array<{ subject: string; end: boolean }> = [];
    const publish = bus.publish.bind(bus);
    jest.spyOn(bus, 'publish').mockImplementation((subject, message, reply) => {
      published.push({ subject, end: Boolean(message.headers[Headers.streamEnd]) });
      publish(subject, message, reply);
    });
    const frames: unknown[] = [];
    for await (const reply of bus.requestMany(
      Subjects.invoke.subject,
      { data: encode({ ...invokePayload, request: chat('whole') }), headers: {} },
      { firstTimeoutMs: 1_000, idleTimeoutMs: 1_000 },
    ))
      frames.push(decode(reply.data));
    expect(frames).toEqual([{ type: 'response', response: { id: 'r1' } }]);
    // The request, then its one answer, which ends the stream.
    expect(published).toEqual([
      { subject: Subjects.invoke.subject, end: false },
      { subject: expect.any(String), end: true },
    ]);
  });

  it('aborts the handler when the caller stops a stream early', async () => {
    for await (const reply of bus.requestMany(
      Subjects.invoke.subject,
      { data: encode(invokePayload), headers: {} },
      { firstTimeoutMs: 1_000, idleTimeoutMs: 1_000 },
    )) {
      expect(decode(reply.data)).toEqual({ type: 'chunk', n: 1 });
      break;
    }
    await pollUntil(() => streamSignal?.aborted, Boolean);
  });

  it('hands valid events to their handlers and dead-letters an invalid durable event at once', async () => {
    await client.emit(Subjects.keyRevoked, { keyId: 'k1', keyHash: 'h1' }, { messageId: 'k1' });
    await bus.publishDurable(Subjects.usageRecorded.subject, { data: encode({ requestId: 'x' }), headers: {} }, 'p1');
    await pollUntil(
      () => bus.deadLetters.length,
      (count) => count === 1,
    );
    expect(bus.deadLetters[0]).toMatchObject({
      subject: Subjects.usageRecorded.subject,
      consumer: 'billing-usage-recorded-v1',
      reason: 'poison',
      deliveries: 1,
    });
    await pollUntil(
      () => events,
      (list) => list.includes('revoked k1'),
    );
    expect(events).toEqual(['revoked k1']);
  });

  it('hands a batch handler the valid events of a batch together, dead-letters each invalid one, and traces the batch once', async () => {
    const fact = (id: string): AuditRecorded => ({
      id,
      category: 'admin',
      action: 'key.create',
      outcome: 'success',
      actorKeyId: null,
      orgId: null,
      projectId: null,
      requestId: null,
      target: null,
      metadata: {},
      occurredAt: new Date().toISOString(),
    });
    const tracer = trace.getTracer('test');
    const traceIds: string[] = [];
    for (const id of ['f1', 'f2', 'f3']) {
      const span = tracer.startSpan(`call ${id}`);
      traceIds.push(span.spanContext().traceId);
      const headers = injectTraceContext({}, trace.setSpan(ROOT_CONTEXT, span));
      await bus.publishDurable(Subjects.auditRecorded.subject, { data: encode(fact(id)), headers }, id);
      span.end();
      if (id === 'f1') {
        await bus.publishDurable(Subjects.auditRecorded.subject, { data: encode({ id: 'bad' }), headers: {} }, 'bad');
      }
    }
    await pollUntil(
      () => auditBatches.flat().length,
      (count) => count === 3,
    );
    expect(auditBatches).toEqual([['f1', 'f2', 'f3']]);
    expect(bus.deadLetters).toEqual([
      expect.objectContaining({ consumer: 'audit-audit-recorded-v1', reason: 'poison', deliveries: 1 }),
    ]);
    const spans = exporter
      .getFinishedSpans()
      .filter((span) => span.name === `process ${Subjects.auditRecorded.subject}`);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toMatchObject({ 'messaging.batch.message_count': 4, 'polymux.service': 'audit' });
    expect(spans[0].links.map((link) => link.context.traceId)).toEqual(traceIds);
    expect(traceIds).not.toContain(spans[0].spanContext().traceId);
  });

  it('gives each service consuming one event in one process its own consumer', async () => {
    const shared = new MemoryBus();
    const both = new BusTransport(shared);
    const seen: string[] = [];
    // As Nest's event handlers do: the first one registered also calls those chained after it.
    const billing: MessageHandler = async (event: UsageRecorded, ...rest: unknown[]) => {
      seen.push(`billing ${event.requestId}`);
      await billing.next?.(event, ...rest);
    };
    both.addHandler(Subjects.usageRecorded.subject, billing, true, { consumer: 'billing' });
    both.addHandler(
      Subjects.usageRecorded.subject,
      (async (batch: UsageRecorded[]) =>
        void seen.push(...batch.map((event) => `audit ${event.requestId}`))) as MessageHandler,
      true,
      { consumer: 'audit', batch: 10, maxWaitMs: 1 },
    );
    await new Promise<void>((resolve, reject) => void both.listen((error) => (error ? reject(error) : resolve())));
    try {
      const usage = { ...usageFixture, requestId: 'shared-1' };
      await new MessagingClient(shared).emit(Subjects.usageRecorded, usage, { messageId: usage.requestId });
      // Both consumers done with it: nothing pending, nothing failing.
      const backlogs = () =>
        Promise.all(
          ['billing', 'audit'].map(async (consumer) => {
            const name = `${consumer}-usage-recorded-v1`;
            return (await shared.durableBacklog(Streams.usage, name)).pending;
          }),
        );
      await pollUntil(
        async () => ({ seen: seen.length, pending: await backlogs() }),
        (state) => state.seen >= 2 && state.pending.every((count) => count === 0),
        { timeoutMs: 2_000 },
      );
      expect(seen.sort()).toEqual(['audit shared-1', 'billing shared-1']);
    } finally {
      await both.close();
      await shared.close();
    }
  });
});
