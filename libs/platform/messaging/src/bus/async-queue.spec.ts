import { AsyncQueue } from './async-queue';

const timeout = () => new Error('timed out');

describe('AsyncQueue', () => {
  it('hands out items pushed before and after the consumer waits, in order', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.push(2);
    expect(await queue.next(100, timeout)).toEqual({ value: 1, done: false });
    expect(await queue.next(100, timeout)).toEqual({ value: 2, done: false });
    const waiting = queue.next(1_000, timeout);
    queue.push(3);
    expect(await waiting).toEqual({ value: 3, done: false });
  });

  it('rejects with the timeout error when nothing arrives in time, and accepts items afterwards', async () => {
    jest.useFakeTimers();
    try {
      const queue = new AsyncQueue<string>();
      const waiting = queue.next(50, timeout);
      jest.advanceTimersByTime(50);
      await expect(waiting).rejects.toThrow('timed out');
      queue.push('late');
      expect(await queue.next(50, timeout)).toEqual({ value: 'late', done: false });
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends: a waiting consumer and later calls get done, later pushes are ignored', async () => {
    const queue = new AsyncQueue<number>();
    const waiting = queue.next(1_000, timeout);
    queue.end();
    expect(await waiting).toEqual({ value: undefined, done: true });
    queue.push(1);
    expect(await queue.next(10, timeout)).toEqual({ value: undefined, done: true });
  });

  it('drains items pushed before the end first', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.end();
    expect(await queue.next(10, timeout)).toEqual({ value: 1, done: false });
    expect(await queue.next(10, timeout)).toEqual({ value: undefined, done: true });
  });

  it('fails: a waiting consumer and later calls get the error; end and fail after that change nothing', async () => {
    const queue = new AsyncQueue<number>();
    const waiting = queue.next(1_000, timeout);
    const failure = new Error('boom');
    queue.fail(failure);
    await expect(waiting).rejects.toBe(failure);
    queue.end();
    queue.fail(new Error('other'));
    await expect(queue.next(10, timeout)).rejects.toBe(failure);
  });
});
