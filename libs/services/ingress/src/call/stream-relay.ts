import { Logger } from '@nestjs/common';
import { toErrorPayload } from '@polymux/http';

import type { InboundFormat, SseEvent } from '../formats/inbound-format';
import type { Call, CallService, OpenedStream } from './call.service';
import { Delivered } from './delivered';
import type { SseWriter } from './sse-writer';

const logger = new Logger('StreamRelay');

/**
 * Relays an opened stream's chunks as they arrive, in the caller's `format`, and settles what was
 * delivered before the stream ends: the usage is durable in JetStream before the closing events
 * (`data: [DONE]`, `message_stop`, `response.completed`) are written.
 *
 * - whole answer → `success`; the caller leaves → `cancelled`; the provider or executor fails after
 *   content was relayed → `partial` and an error event; each charged for what was produced.
 * - fails before any content → nothing charged, the hold released, an error event.
 * - JetStream does not acknowledge the usage (after `CallService`'s retries) → the content cannot be
 *   taken back, so the hold stays and the stream ends with a `service_unavailable` error event
 *   instead of the closing events.
 */
export const relayStream = async (
  calls: CallService,
  call: Call,
  opened: OpenedStream,
  sse: SseWriter,
  format: InboundFormat,
  signal: AbortSignal,
): Promise<void> => {
  const delivered = new Delivered();
  const { deployment } = opened;
  const encoder = format.streamEncoder(call.request, { requestId: call.requestId, deployment });
  const send = async (events: SseEvent[]) => {
    for (const { event, data } of events) await sse.data(data, event);
  };
  try {
    for (let frame = opened.first; ;) {
      if (frame.type === 'chunk') {
        await send(encoder.chunk(frame.chunk));
        // Every chunk the provider produced is counted, even one the caller left before: it is billed upstream.
        delivered.chunk(frame.chunk);
      } else if (frame.type === 'done') {
        delivered.usageReported(frame.usage);
      }
      const next = await opened.rest.next();
      if (next.done) break;
      frame = next.value;
    }
  } catch (error) {
    if (signal.aborted) {
      // Cancelled by the client: the provider was paid for what it produced, and so are we.
      await calls
        .settle(call, deployment, delivered.usage(call.request, deployment.upstreamModel), 'cancelled')
        .catch(() => logger.error(`usage of cancelled request ${call.requestId} not recorded; its hold stays`));
      sse.end();
      return;
    }
    if (delivered.any) {
      await calls
        .settle(call, deployment, delivered.usage(call.request, deployment.upstreamModel), 'partial')
        .catch(() => logger.error(`usage of partial request ${call.requestId} not recorded; its hold stays`));
    } else {
      await calls.failed(call, error);
    }
    await send(encoder.error(toErrorPayload(error)));
    sse.end();
    return;
  }
  const usage = delivered.usage(call.request, deployment.upstreamModel);
  try {
    await calls.settle(call, deployment, usage, 'success');
  } catch (error) {
    await send(encoder.error(toErrorPayload(error)));
    sse.end();
    return;
  }
  await send(encoder.end(usage));
  sse.end();
};
