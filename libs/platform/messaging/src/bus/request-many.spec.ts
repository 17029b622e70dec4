import { Headers } from '@polymux/contracts';
import { pollUntil } from '@polymux/testing';

import type { BusMessage, IncomingMessage } from './bus';
import { BusTimeoutError, NoRespondersError } from './bus';
import { MemoryBus } from './memory.bus';
import { requestMany } from './request-many';

const frame = (text: string, headers: Record<string, string> = {}): BusMessage => ({
  data: Buffer.from(text),
  headers,
});
const END = { [Headers.streamEnd]: '1' };
const options = { firstTimeoutMs: 1_000, idleTimeoutMs: 1_000 };

describe('requestMany', () => {
  let bus: MemoryBus;
  let requests: IncomingMessage[];
  let cancels: string[];

  beforeEach(() => {
    bus = new MemoryBus();
    requests = [];
    cancels = [];
  });
  afterEach(() => bus.close());

  /** A responder answering each request with `frames`, and watching its cancel subject. */
  const respondWith = (frames: BusMessage[]) =>
    bus.subscribe('stream.v1', (request) => {
      requests.push(request);
      bus.subscribe(request.headers[Headers.cancel], () => cancels.push(request.reply!));
      for (const reply of frames) bus.publish(request.reply!, reply);
    });

  /** Replies on `_INBOX.<name>`, cancels on `_INBOX.<name>.cancel`. */
  const route = (name: string) => ({
    inbox: `_INBOX.${name}`,
    cancelSubject: `_INBOX.${name}.cancel`,
    listen: (handler: (reply: BusMessage) => void) => bus.subscribe(`_INBOX.${name}`, handler),
  });

  const collect = async (iterable: AsyncIterable<BusMessage>) => {
    const texts: string[] = [];
    for await (const reply of iterable) texts.push(Buffer.from(reply.data).toString());
    return texts;
  };

  it('yields frames until the stream end, with the end frame itself when it carries data', async () => {
    respondWith([frame('a'), frame('b'), frame('c', END)]);
    expect(await collect(requestMany(bus, route('t1'), 'stream.v1', frame('go', { x: '1' }), options))).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(requests[0].headers).toEqual({ x: '1', [Headers.cancel]: '_INBOX.t1.cancel' });
    expect(cancels).toEqual([]);
  });

  it('does not yield an empty end frame', async () => {
    respondWith([frame('a'), frame('', END)]);
    expect(await collect(requestMany(bus, route('t2'), 'stream.v1', frame('go'), options))).toEqual(['a']);
  });

  it('publishes on the cancel subject when the caller stops early', async () => {
    respondWith([frame('a'), frame('b')]);
    for await (const reply of requestMany(bus, route('t3'), 'stream.v1', frame('go'), options)) {
      expect(Buffer.from(reply.data).toString()).toBe('a');
      break;
    }
    await pollUntil(
      () => cancels,
      (list) => list.length === 1,
    );
    expect(cancels).toEqual(['_INBOX.t3']);
  });

  it('reports no responders', async () => {
    await expect(collect(requestMany(bus, route('t4'), 'nobody.v1', frame('go'), options))).rejects.toThrow(
      NoRespondersError,
    );
  });

  it('times out waiting for the first frame, then between frames, and cancels the responder', async () => {
    bus.subscribe('silent.v1', (request) => requests.push(request));
    await expect(
      collect(requestMany(bus, route('t5'), 'silent.v1', frame('go'), { firstTimeoutMs: 20, idleTimeoutMs: 1_000 })),
    ).rejects.toThrow(BusTimeoutError);
    respondWith([frame('a')]);
    const cancelled: string[] = [];
    bus.subscribe('_INBOX.t6.cancel', () => cancelled.push('t6'));
    await expect(
      collect(requestMany(bus, route('t6'), 'stream.v1', frame('go'), { firstTimeoutMs: 1_000, idleTimeoutMs: 20 })),
    ).rejects.toThrow(BusTimeoutError);
    await pollUntil(
      () => cancelled.length,
      (count) => count === 1,
    );
  });

  it('stops with the abort reason when the caller aborts', async () => {
    bus.subscribe('silent.v1', () => undefined);
    const controller = new AbortController();
    const pending = collect(
      requestMany(bus, route('t7'), 'silent.v1', frame('go'), { ...options, signal: controller.signal }),
    );
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
  });
});
