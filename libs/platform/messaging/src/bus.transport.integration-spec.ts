import type { MessageHandler } from '@nestjs/microservices';
import { metrics } from '@opentelemetry/api';
import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ChatRequest, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Headers, PolymuxException, Subjects, intakeOf } from '@polymux/contracts';
import { deleteNatsNamespace, pollUntil, usageEvent } from '@polymux/testing';
import { connect } from 'nats';
import { from } from 'rxjs';

import type { BusMessage } from './bus/bus';
import { NatsBus } from './bus/nats.bus';
import { BusTransport } from './bus.transport';
import { decode, encode } from './codec';
import { MessagingClient } from './messaging.client';
import { ensureStreams } from './streams';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const prefix = `transport_it_${process.pid}_${Date.now()}`;
const MIB = 1024 * 1024;
const MAX_DELIVERIES = 3;
const SECRET = 'handler-error-text-that-may-echo-a-prompt';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const chat = (text: string): ChatRequest => ({
  model: 'fast',
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  stream: true,
});

/** A plan request for `request` (the transport's tests need a real contract; this one is small). */
const planOf = (request: ChatRequest) => ({
  intake: intakeOf(request),
  allowedModels: null,
  accountId: 'account-test',
  reservationTtlSeconds: 60,
});

const usage = (requestId: string): UsageRecorded => usageEvent({ requestId, accountId: 'account-test', cost: '1000' });

const listen = (transport: BusTransport) =>
  new Promise<void>((resolve, reject) => void transport.listen((error) => (error ? reject(error) : resolve())));

describe('BusTransport and MessagingClient over a real NATS server', () => {
  const reader = new TestReader();
  let service: NatsBus;
  let small: NatsBus;
  let caller: NatsBus;
  let transport: BusTransport;
  let smallTransport: BusTransport;
  let client: MessagingClient;
  const handled: string[] = [];
  let failures = 0;

  beforeAll(async () => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const options = { maxDeliveries: MAX_DELIVERIES, maxMessageBytes: 16 * MIB, retryBaseDelayMs: 200, ackWaitMs: 500 };
    service = await NatsBus.connect(natsUrl, 'transport-it-service', prefix, options);
    small = await NatsBus.connect(natsUrl, 'transport-it-small', `${prefix}_small`, { maxMessageBytes: 2 * MIB });
    caller = await NatsBus.connect(natsUrl, 'transport-it-caller', prefix, options);
    await ensureStreams(service);
    client = new MessagingClient(caller);

    transport = new BusTransport(service);
    transport.addHandler(Subjects.plan.subject, (async (request: { allowedModels: string[] }) => ({
      echoed: request.allowedModels,
    })) as MessageHandler);
    transport.addHandler(Subjects.invoke.subject, (async () =>
      from([
        { type: 'chunk', n: 1 },
        { type: 'chunk', text: 'y'.repeat(3 * MIB) },
        { type: 'done', usage: null },
      ])) as MessageHandler);
    transport.addHandler(
      Subjects.usageRecorded.subject,
      (async (event: UsageRecorded) => {
        // Never settles, like a replica that hangs or is killed while handling the event.
        if (event.requestId.startsWith('hangs')) return new Promise<never>(() => undefined);
        if (event.requestId.startsWith('always-fails')) {
          failures++;
          throw new Error(SECRET);
        }
        handled.push(event.requestId);
      }) as MessageHandler,
      true,
      { consumer: 'billing' },
    );
    await listen(transport);

    smallTransport = new BusTransport(small);
    smallTransport.addHandler(Subjects.plan.subject, (async (request: { intake: { model: string } }) =>
      request.intake.model === 'huge' ? { text: 'z'.repeat(3 * MIB) } : { ok: true }) as MessageHandler);
    await listen(smallTransport);
    // The servers' subscriptions are in place before the first request.
    await Promise.all([service.flush(), small.flush()]);
  });

  afterAll(async () => {
    await transport?.close();
    await smallTransport?.close();
    await caller?.close();
    await service?.close();
    await small?.close();
    await deleteNatsNamespace(natsUrl, prefix);
  });

  it('answers a 3 MiB request with a 3 MiB reply through MessagingClient', async () => {
    const text = 'x'.repeat(3 * MIB);
    const plan = Subjects.plan;
    const reply = (await client.request(
      plan,
      { ...planOf(chat('hi')), allowedModels: [text] },
      { timeoutMs: 10_000 },
    )) as unknown as {
      echoed: string[];
    };
    expect(reply.echoed[0]).toBe(text);
  });

  it('streams a 3 MiB frame of a streamed reply, in order with the small frames', async () => {
    const payload = { deploymentId: 'sim/gpt-test', request: chat('x'.repeat(3 * MIB)) };
    const frames: unknown[] = [];
    for await (const frame of caller.requestMany(
      Subjects.invoke.subject,
      { data: encode(payload), headers: {} },
      { firstTimeoutMs: 10_000, idleTimeoutMs: 10_000 },
    )) {
      expect(frame.headers[Headers.error]).toBeUndefined();
      frames.push(decode(frame.data));
    }
    expect(frames).toEqual([
      { type: 'chunk', n: 1 },
      { type: 'chunk', text: 'y'.repeat(3 * MIB) },
      { type: 'done', usage: null },
    ]);
  });

  it('answers a reply over the bus limit with an error frame and keeps serving', async () => {
    const smallClient = new MessagingClient(small);
    const huge = smallClient.request(Subjects.plan, planOf({ ...chat('hi'), model: 'huge' }));
    await expect(huge).rejects.toBeInstanceOf(PolymuxException);
    await expect(huge).rejects.toMatchObject({ code: ErrorCode.UpstreamError });
    const fine = await smallClient.request(Subjects.plan, planOf(chat('hi')));
    expect(fine).toEqual({ ok: true });
  });

  it('dead-letters a poison event at once, an always-failing or never-answering one after N deliveries, and keeps consuming', async () => {
    const poisonId = `poison-${Date.now()}`;
    await caller.publishDurable(
      Subjects.usageRecorded.subject,
      { data: encode({ requestId: poisonId, cost: 'not money' }), headers: {} },
      poisonId,
    );
    await caller.publishDurable(
      Subjects.usageRecorded.subject,
      { data: Buffer.from('{not json'), headers: {} },
      `${poisonId}-garbled`,
    );
    await client.emit(Subjects.usageRecorded, usage('always-fails-1'), { messageId: 'always-fails-1' });
    await client.emit(Subjects.usageRecorded, usage('hangs-1'), { messageId: 'hangs-1' });
    await client.emit(Subjects.usageRecorded, usage('good-1'), { messageId: 'good-1' });

    const raw = await connect({ servers: natsUrl });
    try {
      const manager = await raw.jetstreamManager();
      const stream = `${prefix.toUpperCase()}_DEADLETTER`;
      const info = await pollUntil(
        () => manager.streams.info(stream),
        (current) => current.state.messages >= 4,
        { timeoutMs: 20_000 },
      );
      expect(info.state.messages).toBe(4);
      const letters: BusMessage[] = [];
      for (let seq = 1; seq <= 4; seq++) {
        const letter = await manager.streams.getMessage(stream, { seq });
        expect(letter.subject).toBe(`${prefix}.deadletter.usage.recorded.v1`);
        const headers: Record<string, string> = {};
        for (const key of letter.header.keys()) headers[key.toLowerCase()] = letter.header.get(key);
        letters.push({ data: letter.data, headers });
      }
      const byReason = (reason: string) =>
        letters.filter((letter) => letter.headers['polymux-dead-letter-reason'] === reason);
      expect(byReason('poison')).toHaveLength(2);
      expect(byReason('poison').map((letter) => letter.headers['polymux-dead-letter-deliveries'])).toEqual(['1', '1']);
      const failed = byReason('max_deliveries').find(
        (letter) => (decode(letter.data) as UsageRecorded).requestId === 'always-fails-1',
      )!;
      const hung = byReason('max_deliveries').find(
        (letter) => (decode(letter.data) as UsageRecorded).requestId === 'hangs-1',
      )!;
      expect(hung.headers).toMatchObject({
        'polymux-dead-letter-consumer': 'billing-usage-recorded-v1',
        'polymux-dead-letter-deliveries': String(MAX_DELIVERIES),
        'polymux-dead-letter-error': 'Unacknowledged',
      });
      expect(failed.headers).toMatchObject({
        'polymux-dead-letter-consumer': 'billing-usage-recorded-v1',
        'polymux-dead-letter-deliveries': String(MAX_DELIVERIES),
        'polymux-dead-letter-error': 'Error',
      });
      expect(failures).toBe(MAX_DELIVERIES);
      for (const letter of letters) expect(JSON.stringify(letter.headers)).not.toContain(SECRET);

      // The consumer goes on: the good event before was handled, and so is one published after.
      await client.emit(Subjects.usageRecorded, usage('good-2'), { messageId: 'good-2' });
      await pollUntil(
        () => handled,
        (ids) => ids.includes('good-2'),
      );
      expect(handled).toEqual(['good-1', 'good-2']);

      // Nothing is redelivered after the dead letter: once the server has processed the last ack and
      // term (asynchronously), the consumer has no pending or unacked message.
      const consumer = await pollUntil(
        () => manager.consumers.info(`${prefix.toUpperCase()}_USAGE`, 'billing-usage-recorded-v1'),
        (info) => info.num_pending === 0 && info.num_ack_pending === 0,
      );
      expect([consumer.num_pending, consumer.num_ack_pending]).toEqual([0, 0]);
      expect(failures).toBe(MAX_DELIVERIES);
    } finally {
      await raw.close();
    }

    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((entry) => entry.descriptor.name === 'polymux.messaging.dead_letters');
    const points = (metric?.dataPoints ?? []) as Array<DataPoint<number>>;
    const count = (reason: string) => points.find((point) => point.attributes.reason === reason)?.value;
    expect([count('poison'), count('max_deliveries')]).toEqual([2, 2]);
    expect(points[0].attributes).toMatchObject({
      'messaging.destination.name': 'usage.recorded.v1',
      'messaging.consumer.group.name': 'billing-usage-recorded-v1',
    });
  });
});
