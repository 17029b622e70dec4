import type { NatsConnection } from 'nats';
import { createInbox, headers as natsHeaders } from 'nats';

import type { BusHeaders, BusMessage } from './bus';
import { MessageTooLargeError } from './bus';

const PieceHeaders = {
  /** On a stub: the inbox its sender serves the pieces on. */
  inbox: 'polymux-body-inbox',
  /** On a stub: the size of the whole body. */
  bytes: 'polymux-body-bytes',
  /** On a piece request: which piece. */
  index: 'polymux-body-piece',
} as const;

/** Room kept in every NATS message for headers (trace context, request id, cancel subject). */
const HEADER_ROOM_BYTES = 16 * 1024;
/** How long a sender keeps the pieces of a body nobody has fetched yet. */
const OFFER_TTL_MS = 60_000;
const EMPTY = new Uint8Array(0);

/**
 * Carries messages larger than the server's `max_payload` over core NATS, never JetStream (zero
 * data retention): the sender publishes a small stub naming an `_INBOX.` subject and serves the
 * body there piece by piece; whoever receives the stub (one queue-group replica, or the caller of
 * a request) fetches the pieces and reassembles the message.
 */
export class NatsPieces {
  constructor(
    private readonly connection: NatsConnection,
    private readonly maxMessageBytes: number,
    private readonly pieceTimeoutMs: number,
    /** This connection's inbox namespace: the only inboxes its NATS user may subscribe to. */
    private readonly inboxPrefix?: string,
  ) {}

  /** Bytes of body that fit in one NATS message. */
  get pieceBytes(): number {
    return (this.connection.info?.max_payload ?? 1024 * 1024) - HEADER_ROOM_BYTES;
  }

  /** The message as it goes on the wire: itself, or a stub whose body is served in pieces. */
  outgoing(message: BusMessage): BusMessage {
    const size = message.data.byteLength;
    if (size <= this.pieceBytes) return message;
    if (size > this.maxMessageBytes) throw new MessageTooLargeError(size, this.maxMessageBytes);
    return { data: EMPTY, headers: { ...message.headers, ...this.offer(message.data) } };
  }

  isStub(headers: BusHeaders): boolean {
    return PieceHeaders.inbox in headers;
  }

  /** Fetches the pieces a stub names and returns the message it stands for. */
  async collect<M extends BusMessage>(stub: M): Promise<M> {
    const { [PieceHeaders.inbox]: inbox, [PieceHeaders.bytes]: bytes, ...headers } = stub.headers;
    const total = Number(bytes);
    if (!inbox.startsWith('_INBOX.') || !Number.isSafeInteger(total) || total < 0) {
      throw new Error('malformed message stub');
    }
    if (total > this.maxMessageBytes) throw new MessageTooLargeError(total, this.maxMessageBytes);
    const body = Buffer.allocUnsafe(total);
    let offset = 0;
    for (let index = 0; offset < total; index++) {
      const request = natsHeaders();
      request.set(PieceHeaders.index, String(index));
      const piece = await this.connection.request(inbox, EMPTY, { timeout: this.pieceTimeoutMs, headers: request });
      if (piece.data.byteLength === 0 || offset + piece.data.byteLength > total) throw new Error('malformed piece');
      body.set(piece.data, offset);
      offset += piece.data.byteLength;
    }
    return { ...stub, data: body, headers };
  }

  /** Serves `data` in pieces on a fresh inbox until every piece was fetched, or for at most a minute. */
  private offer(data: Uint8Array): BusHeaders {
    const inbox = createInbox(this.inboxPrefix);
    const pieceBytes = this.pieceBytes;
    const count = Math.ceil(data.byteLength / pieceBytes);
    const served = new Set<number>();
    const subscription = this.connection.subscribe(inbox, {
      callback: (error, msg) => {
        if (error) return;
        const index = Number(msg.headers?.get(PieceHeaders.index));
        if (!Number.isInteger(index) || index < 0 || index >= count) {
          msg.respond(EMPTY);
          return;
        }
        // A view, not a copy: the piece is written to the socket as it is.
        msg.respond(data.subarray(index * pieceBytes, (index + 1) * pieceBytes));
        served.add(index);
        if (served.size === count) stop();
      },
    });
    const timer = setTimeout(() => stop(), OFFER_TTL_MS);
    timer.unref();
    const stop = () => {
      clearTimeout(timer);
      subscription.unsubscribe();
    };
    return { [PieceHeaders.inbox]: inbox, [PieceHeaders.bytes]: String(data.byteLength) };
  }
}
