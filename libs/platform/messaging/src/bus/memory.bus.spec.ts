import { metrics } from '@opentelemetry/api';
import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { pollUntil } from '@polymux/testing';

import type { BusMessage, IncomingMessage } from './bus';
import {
  AttemptsExhaustedError,
  BusTimeoutError,
  NO_RESPONDERS_HEADER,
  NoRespondersError,
  PoisonMessageError,
  RetryLaterError,
} from './bus';
import { MemoryBus } from './memory.bus';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new TestReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const message = (text: string): BusMessage => ({ data: Buffer.from(text), headers: {} });
const text = (received: BusMessage) => Buffer.from(received.data).toString();

const deadLetterCounts = async () => {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((entry) => entry.descriptor.name === 'polymux.messaging.dead_letters');
  return ((metric?.dataPoints ?? []) as Array<DataPoint<number>>).map((point) => ({
    ...point.attributes,
    value: point.value,
  }));
};

describe('MemoryBus', () => {
  let bus: MemoryBus;

  beforeEach(() => {
    bus = new MemoryBus({ maxDeliveries: 3, retryBaseDelayMs: 1 });
  });

  afterEach(() => bus.close());

  it('gives every plain subscriber a message and one member of each queue group, in turn', async () => {
    const seen: string[] = [];
    bus.subscribe('a.b.v1', () => seen.push('plain'));
    bus.subscribe('a.b.v1', () => seen.push('q1'), { queue: 'svc' });
    bus.subscribe('a.b.v1', () => seen.push('q2'), { queue: 'svc' });
    bus.publish('a.b.v1', message('1'));
    bus.publish('a.b.v1', message('2'));
    await pollUntil(
      () => seen.length,
      (count) => count === 4,
    );
    expect(seen.filter((name) => name === 'plain')).toHaveLength(2);
    expect(seen.filter((name) => name !== 'plain').sort()).toEqual(['q1', 'q2']);
  });

  it('stops delivering after unsubscribe and after close', async () => {
    const seen: string[] = [];
    const stop = bus.subscribe('a.b.v1', (received) => seen.push(text(received)));
    bus.publish('a.b.v1', message('first'));
    await pollUntil(
      () => seen.length,
      (count) => count === 1,
    );
    stop();
    bus.subscribe('a.b.v1', (received) => seen.push(`again ${text(received)}`));
    await bus.close();
    bus.publish('a.b.v1', message('after close'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['first']);
  });

  it('answers requests, and reports no responders and timeouts as their own errors', async () => {
    bus.subscribe('echo.v1', (received: IncomingMessage) =>
      bus.publish(received.reply!, { data: received.data, headers: { 'polymux-stream-end': '1' } }),
    );
    expect(text(await bus.request('echo.v1', message('ping'), 1_000))).toBe('ping');
    await expect(bus.request('nobody.v1', message('x'), 1_000)).rejects.toThrow(NoRespondersError);
    bus.subscribe('silent.v1', () => undefined);
    await expect(bus.request('silent.v1', message('x'), 20)).rejects.toThrow(BusTimeoutError);
  });

  it('tells the reply inbox when nobody listens', async () => {
    const replies: IncomingMessage[] = [];
    bus.subscribe('_INBOX.test', (reply) => replies.push(reply));
    bus.publish('nobody.v1', message('x'), '_INBOX.test');
    await pollUntil(
      () => replies.length,
      (count) => count === 1,
    );
    expect(replies[0].headers[NO_RESPONDERS_HEADER]).toBe('1');
  });

  it('delivers a durable event once per message id, also when published before the consumer starts', async () => {
    await bus.publishDurable('usage.recorded.v1', message('early'), 'id-1');
    await bus.publishDurable('usage.recorded.v1', message('early again'), 'id-1');
    const seen: string[] = [];
    await bus.consumeDurable('USAGE', 'usage.recorded.v1', 'billing', async (received) => {
      seen.push(text(received));
    });
    await bus.publishDurable('usage.recorded.v1', message('late'), 'id-2');
    await bus.publishDurable('usage.recorded.v1', message('late again'), 'id-2');
    await pollUntil(
      () => seen.length,
      (count) => count === 2,
    );
    expect(seen).toEqual(['early', 'late']);
  });

  it('redelivers a failing event at most maxDeliveries times, then keeps it as a dead letter and counts it', async () => {
    const attempts: string[] = [];
    await bus.consumeDurable('USAGE', 'usage.recorded.v1', 'audit', async (received) => {
      attempts.push(text(received));
      if (text(received) === 'bad') throw new Error('always fails');
    });
    await bus.publishDurable('usage.recorded.v1', message('bad'), 'bad-1');
    await bus.publishDurable('usage.recorded.v1', message('good'), 'good-1');
    await pollUntil(
      () => bus.deadLetters.length,
      (count) => count === 1,
    );
    expect(attempts.filter((attempt) => attempt === 'bad')).toHaveLength(3);
    expect(attempts.filter((attempt) => attempt === 'good')).toHaveLength(1);
    expect(bus.deadLetters[0]).toMatchObject({
      subject: 'usage.recorded.v1',
      consumer: 'audit',
      reason: 'max_deliveries',
      deliveries: 3,
    });
    expect(text(bus.deadLetters[0].message)).toBe('bad');
    expect(await deadLetterCounts()).toContainEqual({
      'messaging.destination.name': 'usage.recorded.v1',
      'messaging.consumer.group.name': 'audit',
      reason: 'max_deliveries',
      value: 1,
    });
  });

  it("waits the delay a handler's RetryLaterError names, and dead-letters at once on its AttemptsExhaustedError", async () => {
    const seen: number[] = [];
    await bus.consumeDurable('BUDGETS', 'billing.budget.threshold-crossed.v1', 'webhooks', async () => {
      seen.push(Date.now());
      if (seen.length === 1) throw new RetryLaterError('billing.budget.threshold-crossed.v1', 150);
      throw new AttemptsExhaustedError('billing.budget.threshold-crossed.v1', 2);
    });
    await bus.publishDurable('billing.budget.threshold-crossed.v1', message('alert'), 'alert-1');
    await pollUntil(
      () => bus.deadLetters.length,
      (count) => count === 1,
    );
    expect(seen).toHaveLength(2);
    // The bus's own delay here is 1 ms: the 150 are the handler's.
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(140);
    expect(bus.deadLetters[0]).toMatchObject({ reason: 'max_deliveries', deliveries: 2, consumer: 'webhooks' });
  });

  it('dead-letters a poison event at once', async () => {
    let attempts = 0;
    await bus.consumeDurable('USAGE', 'usage.recorded.v1', 'poisoned', async () => {
      attempts++;
      throw new PoisonMessageError('usage.recorded.v1');
    });
    await bus.publishDurable('usage.recorded.v1', message('{'), 'poison-1');
    await pollUntil(
      () => bus.deadLetters.length,
      (count) => count === 1,
    );
    expect(attempts).toBe(1);
    expect(bus.deadLetters[0]).toMatchObject({ reason: 'poison', deliveries: 1, consumer: 'poisoned' });
    expect(await deadLetterCounts()).toContainEqual(
      expect.objectContaining({ 'messaging.consumer.group.name': 'poisoned', reason: 'poison', value: 1 }),
    );
  });

  it('hands a batch consumer its events together, each once, and every consumer of a subject all of them', async () => {
    await bus.publishDurable('usage.recorded.v1', message('early'), 'id-1');
    const batches: string[][] = [];
    const other: string[] = [];
    await bus.consumeDurableBatch(
      'USAGE',
      'usage.recorded.v1',
      'billing',
      async (messages) => void batches.push(messages.map(text)),
      { maxBatch: 10, maxWaitMs: 20 },
    );
    await bus.consumeDurable(
      'USAGE',
      'usage.recorded.v1',
      'audit',
      async (received) => void other.push(text(received)),
    );
    for (const id of ['a', 'b', 'c']) await bus.publishDurable('usage.recorded.v1', message(id), id);
    await bus.publishDurable('usage.recorded.v1', message('a again'), 'a');
    await pollUntil(
      () => batches.flat().length + other.length,
      (count) => count === 8,
    );
    expect(batches.flat()).toEqual(['early', 'a', 'b', 'c']);
    expect(batches.length).toBeLessThan(4);
    expect(other).toEqual(['early', 'a', 'b', 'c']);
    expect(await bus.durableBacklog('USAGE', 'billing')).toEqual({ pending: 0, oldestPublishedAtMs: null });
  });

  it('dead-letters a poison event of a batch at once and a failing one after maxDeliveries, alone', async () => {
    const handled: string[] = [];
    await bus.consumeDurableBatch(
      'USAGE',
      'usage.recorded.v1',
      'batched',
      async (messages) => {
        if (messages.some((received) => text(received) === 'bad')) throw new Error('always fails');
        const failures = new Map<number, unknown>();
        messages.forEach((received, index) => {
          if (text(received) === 'poison') failures.set(index, new PoisonMessageError('usage.recorded.v1'));
          else handled.push(text(received));
        });
        return { failures };
      },
      { maxBatch: 10, maxWaitMs: 5 },
    );
    for (const id of ['good-1', 'poison', 'bad', 'good-2'])
      await bus.publishDurable('usage.recorded.v1', message(id), id);
    await pollUntil(
      () => bus.deadLetters.length,
      (count) => count === 2,
    );
    expect(handled).toEqual(['good-1', 'good-2']);
    expect(bus.deadLetters.map((letter) => [text(letter.message), letter.reason, letter.deliveries])).toEqual([
      ['poison', 'poison', 1],
      ['bad', 'max_deliveries', 3],
    ]);
    expect(await deadLetterCounts()).toContainEqual(
      expect.objectContaining({ 'messaging.consumer.group.name': 'batched', reason: 'poison', value: 1 }),
    );
    expect(await bus.durableBacklog('USAGE', 'batched')).toEqual({ pending: 0, oldestPublishedAtMs: null });
  });
});
