import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

import { SseWriter } from './sse-writer';

/** A response whose writes complete only when the test releases them, to exercise backpressure. */
class SlowResponse extends Writable {
  head?: { status: number; headers: Record<string, string> };
  readonly written: string[] = [];
  private pending: Array<() => void> = [];

  constructor() {
    super({ highWaterMark: 16 });
  }

  writeHead(status: number, headers: Record<string, string>): this {
    this.head = { status, headers };
    return this;
  }

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.written.push(chunk.toString());
    this.pending.push(callback);
  }

  release(): void {
    for (const callback of this.pending.splice(0)) callback();
  }
}

const writer = (response: SlowResponse, signal = new AbortController().signal) =>
  new SseWriter(response as unknown as ServerResponse, signal);

describe('SseWriter', () => {
  it('opens a 200 event stream with no buffering and the given headers', () => {
    const response = new SlowResponse();
    writer(response).open({ 'x-request-id': 'req-1' });
    expect(response.head).toEqual({
      status: 200,
      headers: expect.objectContaining({
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        'x-request-id': 'req-1',
      }),
    });
  });

  it('frames objects as JSON and strings as they are', async () => {
    const response = new SlowResponse();
    const sse = writer(response);
    const first = sse.data({ a: 1 });
    response.release();
    await first;
    const second = sse.data('[DONE]');
    response.release();
    await second;
    expect(response.written).toEqual(['data: {"a":1}\n\n', 'data: [DONE]\n\n']);
  });

  it('waits for the client to drain before the next event', async () => {
    const response = new SlowResponse();
    const sse = writer(response);
    let drained = false;
    const write = sse.data('x'.repeat(64)).then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    response.release();
    await write;
    expect(drained).toBe(true);
  });

  it('stops waiting and writing once the client has left', async () => {
    const response = new SlowResponse();
    const abort = new AbortController();
    const sse = writer(response, abort.signal);
    const write = sse.data('x'.repeat(64));
    abort.abort();
    await write;
    await sse.data('after');
    expect(response.written).toEqual([`data: ${'x'.repeat(64)}\n\n`]);
  });

  it('ends once, however often it is asked', () => {
    const response = new SlowResponse();
    const sse = writer(response);
    sse.end();
    sse.end();
    expect(response.writableEnded).toBe(true);
  });
});
