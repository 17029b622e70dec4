import type { BatchResult, BusMessage } from './bus';
import { DurableHandlerTimeoutError, PoisonMessageError } from './bus';
import type { BatchDelivery } from './durable-batches';
import { DurableBatches } from './durable-batches';

const text = (message: BusMessage) => Buffer.from(message.data).toString();

/** Deliveries that record how each was concluded. */
const deliveries = () => {
  const outcomes = new Map<string, string>();
  const make = (name: string): BatchDelivery => ({
    message: { data: Buffer.from(name), headers: {} },
    ack: () => outcomes.set(name, 'ack'),
    fail: (error) => outcomes.set(name, `fail ${(error as Error).name}`),
    release: () => outcomes.set(name, 'release'),
  });
  return { outcomes, make };
};

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('DurableBatches', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands over a full batch at once and a partial one after maxWaitMs, acknowledging only after the handler', async () => {
    const { outcomes, make } = deliveries();
    const calls: string[][] = [];
    const pending = deferred<void>();
    const batches = new DurableBatches(
      'usage.recorded.v1',
      async (messages) => {
        calls.push(messages.map(text));
        if (calls.length === 1) await pending.promise;
      },
      { maxBatch: 3, maxWaitMs: 50, timeoutMs: 10_000 },
    );
    for (const name of ['a', 'b', 'c', 'd']) batches.push(make(name));
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(outcomes.size).toBe(0);
    pending.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect([...outcomes.keys()]).toEqual(['a', 'b', 'c']);
    await jest.advanceTimersByTimeAsync(49);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
    expect(outcomes.get('d')).toBe('ack');
  });

  it('gathers what arrives while every slot is busy into the next batch', async () => {
    const { make } = deliveries();
    const calls: string[][] = [];
    const gates = Array.from({ length: 4 }, () => deferred<void>());
    const batches = new DurableBatches(
      's',
      async (messages) => {
        calls.push(messages.map(text));
        await gates[calls.length - 1]?.promise;
      },
      { maxBatch: 100, maxWaitMs: 10, timeoutMs: 10_000 },
    );
    for (let slot = 0; slot < 4; slot += 1) {
      batches.push(make(`slot-${slot}`));
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(calls).toHaveLength(4);
    for (const name of ['x', 'y', 'z']) batches.push(make(name));
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(4);
    gates[0].resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls[4]).toEqual(['x', 'y', 'z']);
  });

  it('fails only the events the handler names, poison included, and acknowledges the rest', async () => {
    const { outcomes, make } = deliveries();
    const batches = new DurableBatches(
      's',
      async (): Promise<BatchResult> => ({ failures: new Map([[1, new PoisonMessageError('s')]]) }),
      { maxBatch: 3, maxWaitMs: 5, timeoutMs: 10_000 },
    );
    for (const name of ['a', 'poison', 'b']) batches.push(make(name));
    await jest.advanceTimersByTimeAsync(0);
    expect(Object.fromEntries(outcomes)).toEqual({ a: 'ack', poison: 'fail PoisonMessageError', b: 'ack' });
  });

  it('hands a rejected batch over one event at a time, so one failing event fails alone', async () => {
    const { outcomes, make } = deliveries();
    const calls: string[][] = [];
    const batches = new DurableBatches(
      's',
      async (messages) => {
        calls.push(messages.map(text));
        if (messages.some((message) => text(message) === 'bad')) throw new Error('constraint violated');
      },
      { maxBatch: 3, maxWaitMs: 5, timeoutMs: 10_000 },
    );
    for (const name of ['a', 'bad', 'b']) batches.push(make(name));
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([['a', 'bad', 'b'], ['a'], ['bad'], ['b']]);
    expect(Object.fromEntries(outcomes)).toEqual({ a: 'ack', bad: 'fail Error', b: 'ack' });
  });

  it('gives up on a batch that does not settle in time and on the event that hangs alone', async () => {
    const { outcomes, make } = deliveries();
    const batches = new DurableBatches(
      's',
      (messages) =>
        messages.some((message) => text(message) === 'hangs') ? new Promise<never>(() => undefined) : Promise.resolve(),
      { maxBatch: 2, maxWaitMs: 5, timeoutMs: 1_000 },
    );
    batches.push(make('hangs'));
    batches.push(make('fine'));
    await jest.advanceTimersByTimeAsync(999);
    expect(outcomes.size).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(Object.fromEntries(outcomes)).toEqual({ fine: 'ack' });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(outcomes.get('hangs')).toBe(`fail ${new DurableHandlerTimeoutError('s', 1).name}`);
  });

  it('releases what it never handed over once closed, and everything pushed after', async () => {
    const { outcomes, make } = deliveries();
    const handler = jest.fn(async () => undefined);
    const batches = new DurableBatches('s', handler, { maxBatch: 10, maxWaitMs: 50, timeoutMs: 1_000 });
    batches.push(make('waiting'));
    for (const delivery of batches.close()) delivery.release();
    batches.push(make('late'));
    await jest.advanceTimersByTimeAsync(100);
    expect(handler).not.toHaveBeenCalled();
    expect(Object.fromEntries(outcomes)).toEqual({ waiting: 'release', late: 'release' });
  });
});
