/** A single-consumer queue turning pushed values into an async iterator with timeouts. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (value: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  private ended = false;
  private failure: unknown = null;

  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = error;
    this.ended = true;
    this.waiter?.reject(error);
    this.waiter = null;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.waiter?.resolve({ value: undefined, done: true });
    this.waiter = null;
  }

  /** Next item, or `done` once ended; rejects with `onTimeout()` if nothing arrives in time. */
  next(timeoutMs: number, onTimeout: () => Error): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(onTimeout());
      }, timeoutMs);
      this.waiter = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }
}
