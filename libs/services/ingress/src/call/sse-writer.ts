import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

/** Server-sent events onto a raw response, honouring backpressure and giving up when the client leaves. */
export class SseWriter {
  constructor(
    private readonly response: ServerResponse,
    private readonly signal: AbortSignal,
  ) {}

  open(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
  }

  /** One event: `data` is JSON-encoded unless it is a string (`[DONE]`); `event` names its type when the format has types. */
  async data(payload: unknown, event?: string): Promise<void> {
    const data = `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
    await this.write(event === undefined ? data : `event: ${event}\n${data}`);
  }

  end(): void {
    if (!this.response.writableEnded) this.response.end();
  }

  private async write(text: string): Promise<void> {
    if (this.signal.aborted || this.response.writableEnded) return;
    if (this.response.write(text)) return;
    await once(this.response, 'drain', { signal: this.signal }).catch(() => undefined);
  }
}
