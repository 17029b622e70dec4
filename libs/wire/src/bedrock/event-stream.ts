import type * as Codecs from '@smithy/eventstream-codec';
import type { EventStreamCodec, Message, MessageHeaders } from '@smithy/eventstream-codec';

import type { BedrockStreamEvent, BedrockStreamException } from './converse';

/**
 * ConverseStream's framing, `application/vnd.amazon.eventstream`: binary messages (a prelude with
 * the total and header lengths and its CRC, typed headers, a JSON payload, a message CRC), encoded
 * and decoded by `@smithy/eventstream-codec`, the AWS SDK's own codec. The simulator writes frames
 * with `encodeBedrockEvent`/`encodeBedrockException`, the adapter reads them with `bedrockFrames`.
 */

export const BEDROCK_EVENT_STREAM = 'application/vnd.amazon.eventstream';

/** Largest message accepted, far above any real event (Bedrock's are a few kilobytes). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** A message's fixed part: prelude (total length, headers length, prelude CRC) and message CRC. */
const PRELUDE_BYTES = 12;
const MESSAGE_CRC_BYTES = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let shared: EventStreamCodec | undefined;
/** The codec, loaded on first use: ingress imports this library for its schemas and never needs it. */
const codec = (): EventStreamCodec => {
  if (!shared) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy, synchronous load
    const { EventStreamCodec: Codec } = require('@smithy/eventstream-codec') as typeof Codecs;
    shared = new Codec(
      (bytes: Uint8Array) => decoder.decode(bytes),
      (text: string) => encoder.encode(text),
    );
  }
  return shared;
};

const stringHeader = (value: string) => ({ type: 'string' as const, value });

const encodeJson = (headers: MessageHeaders, payload: unknown): Uint8Array =>
  codec().encode({ headers, body: encoder.encode(JSON.stringify(payload)) });

/** One event of a ConverseStream answer as an event-stream message. */
export const encodeBedrockEvent = (event: BedrockStreamEvent, extra: Record<string, unknown> = {}): Uint8Array =>
  encodeJson(
    {
      ':event-type': stringHeader(event.type),
      ':message-type': stringHeader('event'),
      ':content-type': stringHeader('application/json'),
    },
    { ...event.payload, ...extra },
  );

/** A mid-stream exception (`throttlingException`, …) as an event-stream message, body `{"message": …}`. */
export const encodeBedrockException = (type: BedrockStreamException, message: string): Uint8Array =>
  encodeJson(
    {
      ':exception-type': stringHeader(type),
      ':message-type': stringHeader('exception'),
      ':content-type': stringHeader('application/json'),
    },
    { message },
  );

/** One decoded message: an event with its JSON payload, a modelled exception, or a stream-level error. */
export type BedrockFrame =
  | { kind: 'event'; type: string; payload: unknown }
  | { kind: 'exception'; type: string; body: string }
  | { kind: 'error'; code: string };

const header = (message: Message, name: string): string | undefined => {
  const value = message.headers[name];
  return value?.type === 'string' ? value.value : undefined;
};

export class BedrockFrameError extends Error {
  constructor(what: string) {
    super(`an event stream ${what}`);
    this.name = 'BedrockFrameError';
  }
}

const frameOf = (message: Message): BedrockFrame => {
  const kind = header(message, ':message-type');
  if (kind === 'exception')
    return { kind, type: header(message, ':exception-type') ?? 'unknown', body: decoder.decode(message.body) };
  if (kind === 'error') return { kind, code: header(message, ':error-code') ?? 'unknown' };
  const type = header(message, ':event-type');
  if (kind !== 'event' || !type) throw new BedrockFrameError('message that is neither an event nor an exception');
  let payload: unknown;
  try {
    payload = JSON.parse(decoder.decode(message.body));
  } catch {
    throw new BedrockFrameError(`event ${type} whose payload is not JSON`);
  }
  return { kind, type, payload };
};

/**
 * The messages of an event-stream body as they arrive. The codec decodes (and CRC-checks) one whole
 * message at a time, so the bytes are only cut here at each message's length, read from its prelude
 * (bounded, so that a corrupt length cannot make it buffer without end).
 */
export async function* bedrockFrames(body: AsyncIterable<Uint8Array>): AsyncGenerator<BedrockFrame> {
  let pending = Buffer.alloc(0);
  for await (const chunk of body) {
    pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    while (pending.length >= PRELUDE_BYTES) {
      const length = pending.readUInt32BE(0);
      if (length < PRELUDE_BYTES + MESSAGE_CRC_BYTES || length > MAX_MESSAGE_BYTES)
        throw new BedrockFrameError(`message of ${length} bytes`);
      if (pending.length < length) break;
      let message: Message;
      try {
        message = codec().decode(pending.subarray(0, length));
      } catch {
        throw new BedrockFrameError('message whose checksum or headers are invalid');
      }
      pending = pending.subarray(length);
      yield frameOf(message);
    }
  }
  if (pending.length > 0) throw new BedrockFrameError('that ends inside a message');
}
