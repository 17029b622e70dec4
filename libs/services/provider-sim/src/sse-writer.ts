import type { OutgoingHttpHeaders } from 'node:http';

import type { Exchange } from './exchange';
import type { StreamEvent } from './openai/completion';
import type { Scenario } from './scenario';

/** One SSE event; `event` names it (`event: <name>` line) for formats with typed events, as Anthropic's. */
export type SseEvent = StreamEvent & { event?: string };

const frame = (event: { event?: string; data: string }): string =>
  `${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`;

/** Unpaced events are written in batches of about this many characters. */
const BATCH_CHARACTERS = 16_384;

/**
 * Writes SSE events (`data: …\n\n`, after an `event: …` line when named) to the exchange: paced at `scenario.tokensPerSecond` for token
 * events, cut after `scenario.disconnectAfter` events or ended with `failure` (an error event's
 * data) after `scenario.failAfter` events, stopping as soon as the client goes away.
 */
export const writeEventStream = async (
  exchange: Exchange,
  events: Iterable<SseEvent>,
  scenario: Scenario,
  headers: OutgoingHttpHeaders,
  failure:
    | string
    | {
        event: string;
        data: string;
      } = '{"error":{"message":"Simulated mid-stream failure.","type":"server_error","param":null,"code":null}}',
): Promise<void> => {
  const response = exchange.response;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...headers,
  });
  response.flushHeaders();
  const intervalMs = scenario.tokensPerSecond ? 1000 / scenario.tokensPerSecond : 0;
  const startedAt = performance.now();
  let paced = 0;
  let sent = 0;
  let pending = '';
  if (scenario.disconnectAfter === 0) return exchange.disconnect();
  const fail = () => void response.end(pending + frame(typeof failure === 'string' ? { data: failure } : failure));
  if (scenario.failAfter === 0) return fail();
  for (const event of events) {
    if (intervalMs > 0 && event.token) {
      paced += 1;
      const alive = await exchange.wait(startedAt + paced * intervalMs - performance.now());
      if (!alive) return;
    }
    if (exchange.isClosed) return;
    pending += frame(event);
    sent += 1;
    if (sent === scenario.disconnectAfter) return exchange.disconnect(pending);
    if (sent === scenario.failAfter) return fail();
    if (pending.length >= BATCH_CHARACTERS || intervalMs > 0) {
      const writable = response.write(pending);
      pending = '';
      if (!writable) await exchange.drained();
    }
  }
  if (!exchange.isClosed) response.end(pending);
};
