import { Headers } from '@polymux/contracts';

import { AsyncQueue } from './async-queue';
import type { Bus, BusMessage, StreamOptions, Unsubscribe } from './bus';
import { BusTimeoutError, NO_RESPONDERS_HEADER, NoRespondersError } from './bus';

/** Where one streamed call's replies arrive, and where its caller says it stopped listening. */
export interface ReplyRoute {
  inbox: string;
  cancelSubject: string;
  /** Starts delivering the replies sent to `inbox`, in order. */
  listen(handler: (reply: BusMessage) => void): Unsubscribe;
}

/**
 * Streamed request over plain publish/subscribe, shared by every bus: replies come to the route's
 * inbox; when the caller stops early it publishes to the route's cancel subject (`Bus.watchCancel`).
 */
export async function* requestMany(
  bus: Pick<Bus, 'publish'>,
  route: ReplyRoute,
  subject: string,
  message: BusMessage,
  options: StreamOptions,
): AsyncGenerator<BusMessage> {
  const queue = new AsyncQueue<BusMessage>();
  const { inbox, cancelSubject } = route;
  const unsubscribe = route.listen((reply) => queue.push(reply));
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
