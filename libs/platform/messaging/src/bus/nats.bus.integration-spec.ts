import { connect, createInbox, headers as natsHeaders } from 'nats';
import { deleteNatsNamespace, pollUntil } from '@polymux/testing';

import type { BusMessage, IncomingMessage } from './bus';
import { BusTimeoutError, MessageTooLargeError, NoRespondersError, PoisonMessageError } from './bus';
import { NatsBus } from './nats.bus';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const prefix = `natsbus_it_${process.pid}_${Date.now()}`;
const MIB = 1024 * 1024;
const END = { 'polymux-stream-end': '1' };

/** A body whose every byte depends on its position and seed, so a misplaced piece shows. */
const body = (bytes: number, seed: number): Uint8Array => {
  const data = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + seed) & 0xff;
  return data;
};
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

describe('NatsBus over a real NATS server', () => {
  let caller: NatsBus;
  let service: NatsBus;
  let maxPayload: number;

  beforeAll(async () => {
    const probe = await connect({ servers: natsUrl });
    maxPayload = probe.info!.max_payload;
    await probe.close();
    caller = await NatsBus.connect(natsUrl, 'natsbus-it-caller', prefix, { maxMessageBytes: 8 * MIB });
    service = await NatsBus.connect(natsUrl, 'natsbus-it-service', prefix, { maxMessageBytes: 8 * MIB });
  });

  afterAll(async () => {
    await caller?.close();
    await service?.close();
    await deleteNatsNamespace(natsUrl, prefix);
  });

  it('runs against a server that caps a message at 1 MiB or less, so the tests below need pieces', () => {
    expect(maxPayload).toBeLessThanOrEqual(MIB);
  });

  it('carries a 3 MiB request and a 3 MiB reply over request/reply', async () => {
    const request = body(3 * MIB, 1);
    const reply = body(3 * MIB + 17, 2);
    let received: IncomingMessage | undefined;
    const stop = service.subscribe(
      'test.large.v1',
      (message) => {
        received = message;
        service.publish(message.reply!, { data: reply, headers: { 'x-answer': 'yes' } });
      },
      { queue: 'test' },
    );
    await service.flush();
    try {
      const answer = await caller.request('test.large.v1', { data: request, headers: { 'x-ask': 'big' } }, 10_000);
      expect(same(answer.data, reply)).toBe(true);
      expect(answer.headers).toEqual({ 'x-answer': 'yes' });
      expect(same(received!.data, request)).toBe(true);
      expect(received!.headers).toEqual({ 'x-ask': 'big' });
    } finally {
      stop();
    }
  });

  it('hands a large request to exactly one replica of a queue group', async () => {
    const seen: string[] = [];
    const replica = (name: string) => (message: IncomingMessage) => {
      seen.push(name);
      service.publish(message.reply!, { data: message.data.subarray(0, 4), headers: {} });
    };
    const stops = [
      service.subscribe('test.queue.v1', replica('a'), { queue: 'test' }),
      caller.subscribe('test.queue.v1', replica('b'), { queue: 'test' }),
    ];
    await Promise.all([service.flush(), caller.flush()]);
    try {
      const answer = await caller.request('test.queue.v1', { data: body(2 * MIB, 3), headers: {} }, 10_000);
      expect(same(answer.data, body(4, 3))).toBe(true);
      expect(seen).toHaveLength(1);
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('streams a 3 MiB reply frame between small frames, every frame in order', async () => {
    const large = body(3 * MIB, 4);
    const stop = service.subscribe(
      'test.stream.v1',
      (message) => {
        const reply = message.reply!;
        service.publish(reply, { data: Buffer.from('first'), headers: {} });
        service.publish(reply, { data: large, headers: { 'x-frame': 'large' } });
        service.publish(reply, { data: Buffer.from('third'), headers: {} });
        service.publish(reply, { data: new Uint8Array(0), headers: END });
      },
      { queue: 'test' },
    );
    await service.flush();
    try {
      const frames: BusMessage[] = [];
      for await (const frame of caller.requestMany(
        'test.stream.v1',
        { data: body(3 * MIB, 5), headers: {} },
        { firstTimeoutMs: 10_000, idleTimeoutMs: 10_000 },
      )) {
        frames.push(frame);
      }
      expect(frames.map((frame) => frame.data.byteLength)).toEqual([5, 3 * MIB, 5]);
      expect(Buffer.from(frames[0].data).toString()).toBe('first');
      expect(same(frames[1].data, large)).toBe(true);
      expect(frames[1].headers).toEqual({ 'x-frame': 'large' });
      expect(Buffer.from(frames[2].data).toString()).toBe('third');
    } finally {
      stop();
    }
  });

  it('refuses a message over the bus limit with MessageTooLargeError and keeps working', async () => {
    const stop = service.subscribe('test.echo.v1', (message) =>
      service.publish(message.reply!, { data: message.data, headers: {} }),
    );
    await service.flush();
    try {
      expect(() => caller.publish('test.echo.v1', { data: body(9 * MIB, 6), headers: {} })).toThrow(
        MessageTooLargeError,
      );
      await expect(caller.request('test.echo.v1', { data: body(9 * MIB, 6), headers: {} }, 5_000)).rejects.toThrow(
        MessageTooLargeError,
      );
      const echo = await caller.request('test.echo.v1', { data: Buffer.from('still here'), headers: {} }, 5_000);
      expect(Buffer.from(echo.data).toString()).toBe('still here');
    } finally {
      stop();
    }
  });

  it('skips a frame whose pieces cannot be fetched instead of delivering a partial body', async () => {
    const inbox = createInbox();
    const received: IncomingMessage[] = [];
    const stop = caller.subscribe(inbox, (message) => received.push(message));
    await caller.flush();
    const raw = await connect({ servers: natsUrl });
    try {
      const stub = natsHeaders();
      stub.set('polymux-body-inbox', '_INBOX.nobody-serves-this');
      stub.set('polymux-body-bytes', String(3 * MIB));
      raw.publish(inbox, new Uint8Array(0), { headers: stub });
      raw.publish(inbox, Buffer.from('good'));
      // Frames on an inbox are delivered in order, so once 'good' is in, the stub was settled.
      await pollUntil(
        () => received.length,
        (count) => count >= 1,
      );
      expect(received.map((message) => Buffer.from(message.data).toString())).toEqual(['good']);
    } finally {
      stop();
      await raw.close();
    }
  });

  it('reports no responders and timeouts as their own errors', async () => {
    await expect(caller.request('test.nobody.v1', { data: new Uint8Array(0), headers: {} }, 2_000)).rejects.toThrow(
      NoRespondersError,
    );
    const stop = service.subscribe('test.silent.v1', () => undefined);
    await service.flush();
    try {
      await expect(caller.request('test.silent.v1', { data: new Uint8Array(0), headers: {} }, 200)).rejects.toThrow(
        BusTimeoutError,
      );
    } finally {
      stop();
    }
  });

  it('keeps concurrent streamed calls apart on one reply subscription, and carries a cancel to the responder', async () => {
    const cancelled: string[] = [];
    const stop = service.subscribe('test.streams.v1', (request) => {
      const id = Buffer.from(request.data).toString();
      service.watchCancel(request.headers['polymux-cancel'], () => cancelled.push(id));
      for (let i = 0; i < 3; i++) service.publish(request.reply!, { data: Buffer.from(`${id}:${i}`), headers: {} });
      if (id !== 'open') service.publish(request.reply!, { data: new Uint8Array(0), headers: END });
    });
    await service.flush();
    try {
      const collect = async (id: string) => {
        const frames: string[] = [];
        const options = { firstTimeoutMs: 2_000, idleTimeoutMs: 2_000 };
        for await (const frame of caller.requestMany(
          'test.streams.v1',
          { data: Buffer.from(id), headers: {} },
          options,
        ))
          frames.push(Buffer.from(frame.data).toString());
        return frames;
      };
      const ids = Array.from({ length: 20 }, (_, i) => `call-${i}`);
      const results = await Promise.all(ids.map(collect));
      results.forEach((frames, i) => expect(frames).toEqual([0, 1, 2].map((n) => `${ids[i]}:${n}`)));
      expect(cancelled).toEqual([]);

      const options = { firstTimeoutMs: 2_000, idleTimeoutMs: 2_000 };
      for await (const frame of caller.requestMany(
        'test.streams.v1',
        { data: Buffer.from('open'), headers: {} },
        options,
      )) {
        expect(Buffer.from(frame.data).toString()).toBe('open:0');
        break;
      }
      await pollUntil(
        () => cancelled,
        (list) => list.length === 1,
      );
      expect(cancelled).toEqual(['open']);
    } finally {
      stop();
    }
  });
});

describe('NatsBus batch consumption over a real NATS server', () => {
  const batchPrefix = `${prefix}_batch`;
  const options = { maxDeliveries: 3, retryBaseDelayMs: 100, ackWaitMs: 1_000 };
  const subject = 'usage.recorded.v1';
  const buses: NatsBus[] = [];
  const connectBus = async (name: string) => {
    const bus = await NatsBus.connect(natsUrl, name, batchPrefix, options);
    buses.push(bus);
    return bus;
  };
  const event = (id: string): BusMessage => ({ data: Buffer.from(id), headers: { 'x-request-id': id } });
  const text = (message: BusMessage) => Buffer.from(message.data).toString();

  beforeAll(async () => {
    const bus = await connectBus('natsbus-it-batch-setup');
    await bus.ensureStream('USAGE', [subject]);
    await bus.ensureStream('DEADLETTER', ['deadletter.>']);
  });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await deleteNatsNamespace(natsUrl, batchPrefix);
  });

  const deadLetters = async () => {
    const raw = await connect({ servers: natsUrl });
    try {
      const manager = await raw.jetstreamManager();
      const stream = `${batchPrefix.toUpperCase()}_DEADLETTER`;
      const { state } = await manager.streams.info(stream);
      const letters: Array<{ id: string; reason: string; deliveries: string; error: string }> = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const letter = await manager.streams.getMessage(stream, { seq });
        letters.push({
          id: Buffer.from(letter.data).toString(),
          reason: letter.header.get('polymux-dead-letter-reason'),
          deliveries: letter.header.get('polymux-dead-letter-deliveries'),
          error: letter.header.get('polymux-dead-letter-error'),
        });
      }
      return letters;
    } finally {
      await raw.close();
    }
  };

  it('hands events over in batches and dead-letters poison, failing and hanging ones alone', async () => {
    const publisher = await connectBus('natsbus-it-batch-publisher');
    const consumer = await connectBus('natsbus-it-batch-consumer');
    const batches: string[][] = [];
    const handled: string[] = [];
    const attempts = new Map<string, number>();
    await consumer.consumeDurableBatch(
      'USAGE',
      subject,
      'batch-test',
      async (messages) => {
        const ids = messages.map(text);
        batches.push(ids);
        for (const id of ids) attempts.set(id, (attempts.get(id) ?? 0) + 1);
        if (ids.includes('hangs')) return new Promise<never>(() => undefined);
        if (ids.includes('fails')) throw new Error('constraint violated');
        const failures = new Map<number, unknown>();
        ids.forEach((id, index) => {
          if (id === 'poison') failures.set(index, new PoisonMessageError(subject));
          else handled.push(id);
        });
        return { failures };
      },
      { maxBatch: 50, maxWaitMs: 50 },
    );
    const ids = ['good-1', 'poison', 'fails', 'hangs', ...Array.from({ length: 20 }, (_, i) => `good-${i + 2}`)];
    await Promise.all(ids.map((id) => publisher.publishDurable(subject, event(id), id)));

    const letters = await pollUntil(deadLetters, (found) => found.length === 3, { timeoutMs: 20_000 });
    expect(letters.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'fails', reason: 'max_deliveries', deliveries: '3', error: 'Error' },
      { id: 'hangs', reason: 'max_deliveries', deliveries: '3', error: 'DurableHandlerTimeoutError' },
      { id: 'poison', reason: 'poison', deliveries: '1', error: 'PoisonMessageError' },
    ]);
    // Every good event handled exactly once although it shared batches with the bad ones.
    expect([...handled].sort()).toEqual(ids.filter((id) => id.startsWith('good')).sort());
    expect(batches.some((batch) => batch.length > 1)).toBe(true);
    expect(attempts.get('poison')).toBeLessThanOrEqual(2);
    const backlog = await pollUntil(
      () => consumer.durableBacklog('USAGE', 'batch-test'),
      (current) => current.pending === 0,
    );
    expect(backlog).toEqual({ pending: 0, oldestPublishedAtMs: null });
  });

  it('acknowledges the events of a batch only once its handler resolved', async () => {
    const publisher = await connectBus('natsbus-it-batch-publisher-2');
    const consumer = await NatsBus.connect(natsUrl, 'natsbus-it-batch-slow', batchPrefix, {
      ...options,
      ackWaitMs: 20_000,
    });
    buses.push(consumer);
    // Its own stream: the consumer sees only this test's events.
    await consumer.ensureStream('ACKS', ['acks.test.v1']);
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    const started: string[] = [];
    await consumer.consumeDurableBatch(
      'ACKS',
      'acks.test.v1',
      'batch-ack',
      async (messages) => {
        started.push(...messages.map(text));
        await committed;
      },
      { maxBatch: 10, maxWaitMs: 20 },
    );
    for (const id of ['a-1', 'a-2', 'a-3']) await publisher.publishDurable('acks.test.v1', event(id), id);
    await pollUntil(
      () => started.length,
      (count) => count === 3,
    );
    const raw = await connect({ servers: natsUrl });
    try {
      const manager = await raw.jetstreamManager();
      const info = () => manager.consumers.info(`${batchPrefix.toUpperCase()}_ACKS`, 'batch-ack');
      expect((await info()).num_ack_pending).toBe(3);
      commit();
      const after = await pollUntil(info, (current) => current.num_ack_pending === 0 && current.num_pending === 0);
      expect(after.num_redelivered).toBe(0);
    } finally {
      await raw.close();
    }
    expect(started).toEqual(['a-1', 'a-2', 'a-3']);
  });
});
