import type { OutgoingHttpHeaders } from 'node:http';

import type { Exchange } from './exchange';
import type { StreamEvent } from './openai/completion';
import type { Scenario } from './scenario';

/** One SSE event; `event` names it (`event: <name>` line) for formats with typed events, as Anthropic's. */
export type SseEvent = StreamEvent & { event?: string };

/** One message of a streamed answer, already framed (SSE text or binary event-stream bytes); `token` paces it. */
export interface StreamFrame {
  bytes: string | Uint8Array;
  token: boolean;
}

const frame = (event: { event?: string; data: string }): string =>
  `${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`;

/** Unpaced frames are written in batches of about this many bytes (characters for SSE). */
const BATCH_SIZE = 16_384;

/** Frames written as one: text joined, bytes concatenated. */
const joined = (frames: Array<string | Uint8Array>): string | Uint8Array =>
  frames.every((piece) => typeof piece === 'string')
    ? frames.join('')
    : Buffer.concat(frames.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));

/**
 * Writes a streamed answer's frames to the exchange with `contentType`: paced at
 * `scenario.tokensPerSecond` for token frames, cut after `scenario.disconnectAfter` frames or ended
 * with `failure` (the format's error frame) after `scenario.failAfter` frames, stopping as soon as
 * the client goes away. Every wire format's streams go through here, so every knob works for each.
 */
export const writeFrames = async (
  exchange: Exchange,
  frames: Iterable<StreamFrame>,
  scenario: Scenario,
  headers: OutgoingHttpHeaders,
  failure: string | Uint8Array,
): Promise<void> => {
  const response = exchange.response;
  response.writeHead(200, headers);
  response.flushHeaders();
  const intervalMs = scenario.tokensPerSecond ? 1000 / scenario.tokensPerSecond : 0;
  const startedAt = performance.now();
  let paced = 0;
  let sent = 0;
  let pending: Array<string | Uint8Array> = [];
  let pendingSize = 0;
  if (scenario.disconnectAfter === 0) return exchange.disconnect();
  const fail = () => void response.end(joined([...pending, failure]));
  if (scenario.failAfter === 0) return fail();
  for (const next of frames) {
    if (intervalMs > 0 && next.token) {
      paced += 1;
      const alive = await exchange.wait(startedAt + paced * intervalMs - performance.now());
      if (!alive) return;
    }
    if (exchange.isClosed) return;
    pending.push(next.bytes);
    pendingSize += next.bytes.length;
    sent += 1;
    if (sent === scenario.disconnectAfter) return exchange.disconnect(joined(pending));
    if (sent === scenario.failAfter) return fail();
    if (pendingSize >= BATCH_SIZE || intervalMs > 0) {
      const writable = response.write(joined(pending));
      pending = [];
      pendingSize = 0;
      if (!writable) await exchange.drained();
    }
  }
  if (!exchange.isClosed) response.end(joined(pending));
};

const DEFAULT_FAILURE =
  '{"error":{"message":"Simulated mid-stream failure.","type":"server_error","param":null,"code":null}}';

/**
 * Writes SSE events (`data: …\n\n`, after an `event: …` line when named) through `writeFrames`;
 * `failure` is the data (and name) of the error event a `fail-after` stream ends with.
 */
export const writeEventStream = (
  exchange: Exchange,
  events: Iterable<SseEvent>,
  scenario: Scenario,
  headers: OutgoingHttpHeaders,
  failure: string | { event: string; data: string } = DEFAULT_FAILURE,
): Promise<void> =>
  writeFrames(
    exchange,
    (function* () {
      for (const event of events) yield { bytes: frame(event), token: event.token };
    })(),
    scenario,
    { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers },
    frame(typeof failure === 'string' ? { data: failure } : failure),
  );
