import type { BusHeaders } from './bus/bus';
import { Headers } from '@polymux/contracts';

/** What a message handler knows besides the payload: headers and, for streams, cancellation. */
export class BusContext {
  constructor(
    readonly subject: string,
    readonly headers: BusHeaders,
    readonly signal: AbortSignal,
  ) {}

  get requestId(): string | undefined {
    return this.headers[Headers.requestId];
  }
}
