import type { ServerResponse } from 'node:http';

/** Counters a test can read to see what the simulator saw; cheap enough for benchmarks. */
export interface SimStats {
  /** Requests received. */
  requests: number;
  /** Requests whose response has not closed yet. */
  inFlight: number;
  /** Requests whose client went away before the response was complete. */
  clientAborts: number;
  /** Distinct `authorization` header values received: one per credential a caller used, so it stays small. */
  authorizations: Set<string>;
  /** Distinct `anthropic-beta` header values received (comma-joined betas), so tests see what reached Anthropic. */
  betas: Set<string>;
}

/** One request/response pair: knows when the client went away and can cut the connection on purpose. */
export class Exchange {
  private closed = false;
  private disconnecting = false;
  private onClose: (() => void) | undefined;

  constructor(
    readonly response: ServerResponse,
    stats: SimStats,
  ) {
    stats.requests += 1;
    stats.inFlight += 1;
    response.once('close', () => {
      this.closed = true;
      stats.inFlight -= 1;
      if (!response.writableFinished && !this.disconnecting) stats.clientAborts += 1;
      this.onClose?.();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Waits `ms`, ending early if the client goes away; resolves whether the client is still there. */
  wait(ms: number): Promise<boolean> {
    if (ms <= 0 || this.closed) return Promise.resolve(!this.closed);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onClose = undefined;
        resolve(!this.closed);
      }, ms);
      this.onClose = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  }

  /** Resolves once the response can take more data, or the client went away. */
  drained(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.onClose = undefined;
        resolve();
      };
      this.response.once('drain', done);
      this.onClose = done;
    });
  }

  /** Sends what was written, then destroys the socket without finishing the response. */
  disconnect(lastWrite: string | Uint8Array = ''): void {
    this.disconnecting = true;
    this.response.write(lastWrite, () => this.response.socket?.destroy());
  }
}
