import { Headers } from '@polymux/contracts';

import { AsyncQueue } from './async-queue';
import type { Bus, BusMessage, StreamOptions } from './bus';
import { BusTimeoutError, NO_RESPONDERS_HEADER, NoRespondersError } from './bus';

/**
 * Streamed request over plain publish/subscribe, shared by every bus: replies come to a fresh
 * inbox; when the caller stops early it publishes to `<inbox>.cancel`, which the responder watches.
 */
export async function* requestMany(
  bus: Pick<Bus, 'publish' | 'subscribe'>,
  inbox: string,
  subject: string,
  message: BusMessage,
  options: StreamOptions,
): AsyncGenerator<BusMessage> {
  const queue = new AsyncQueue<BusMessage>();
  const unsubscribe = bus.subscribe(inbox, (reply) => queue.push(reply));
  const cancelSubject = `${inbox}.cancel`;
  let finished = false;
  const onAbort = () => queue.fail(options.signal?.reason ?? new Error('aborted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    bus.publish(
      subject,
      { data: message.data, headers: { ...message.headers, [Headers.cancel]: cancelSubject } },
      inbox,
    );
    let timeoutMs = options.firstTimeoutMs;
    for (;;) {
      const next = await queue.next(timeoutMs, () => new BusTimeoutError(subject, timeoutMs));
      if (next.done) return;
      const reply = next.value;
      if (reply.headers[NO_RESPONDERS_HEADER]) {
        finished = true;
        throw new NoRespondersError(subject);
      }
      if (reply.headers[Headers.streamEnd]) {
        finished = true;
        if (reply.data.length > 0) yield reply;
        return;
      }
      yield reply;
      timeoutMs = options.idleTimeoutMs;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    unsubscribe();
    if (!finished) bus.publish(cancelSubject, { data: new Uint8Array(0), headers: {} });
  }
}
