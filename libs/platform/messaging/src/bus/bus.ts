export type BusHeaders = Record<string, string>;

export interface BusMessage {
  data: Uint8Array;
  headers: BusHeaders;
}

export interface IncomingMessage extends BusMessage {
  subject: string;
  reply?: string;
}

export type Unsubscribe = () => void;

export interface StreamOptions {
  /** Longest wait for the first reply frame. */
  firstTimeoutMs: number;
  /** Longest wait between two reply frames. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The transport every service talks through. `NatsBus` is the distributed implementation,
 * `MemoryBus` the embedded one; services never know which they have.
 */
export interface Bus {
  request(subject: string, message: BusMessage, timeoutMs: number): Promise<BusMessage>;
  /** Replies arrive as many messages on a fresh inbox until one carries the stream-end header. */
  requestMany(subject: string, message: BusMessage, options: StreamOptions): AsyncIterable<BusMessage>;
  publish(subject: string, message: BusMessage, reply?: string): void;
  subscribe(subject: string, handler: (message: IncomingMessage) => void, options?: { queue?: string }): Unsubscribe;
  /** Calls `onCancel` when the caller of a streamed request publishes to its cancel subject. */
  watchCancel(cancelSubject: string, onCancel: () => void): Unsubscribe;
  ensureStream(name: string, subjects: string[]): Promise<void>;
  /** Persists an event once per `messageId` (duplicates inside the dedupe window are dropped). */
  publishDurable(subject: string, message: BusMessage, messageId: string): Promise<void>;
  /**
   * Delivers each durable event to one replica of `consumer`. A rejected handler means redelivery,
   * at most `maxDeliveries` times in all; then, or at once for a `PoisonMessageError`, the event
   * goes to the dead letters (`deadletter.<subject>`) and is counted in `polymux.messaging.dead_letters`.
   */
  consumeDurable(
    stream: string,
    subject: string,
    consumer: string,
    handler: (message: BusMessage) => Promise<void>,
  ): Promise<Unsubscribe>;
  /** What `consumer` has not yet handled on `stream`: undelivered, in flight or failing. */
  durableBacklog(stream: string, consumer: string): Promise<DurableBacklog>;
  close(): Promise<void>;
}

export interface DurableBacklog {
  /** Messages not yet acknowledged by the consumer. */
  pending: number;
  /** When the oldest of them was published (epoch ms, the broker's clock); null when none is pending. */
  oldestPublishedAtMs: number | null;
}

export class BusTimeoutError extends Error {
  constructor(subject: string, timeoutMs: number) {
    super(`no reply on ${subject} within ${timeoutMs} ms`);
    this.name = 'BusTimeoutError';
  }
}

export class NoRespondersError extends Error {
  constructor(subject: string) {
    super(`no service is subscribed to ${subject}`);
    this.name = 'NoRespondersError';
  }
}

/** A durable event that can never succeed (it does not decode or validate): dead-lettered at once. */
export class PoisonMessageError extends Error {
  constructor(subject: string) {
    super(`invalid ${subject} payload`);
    this.name = 'PoisonMessageError';
  }
}

/** A message larger than the bus carries, even in pieces. */
export class MessageTooLargeError extends Error {
  constructor(bytes: number, limit: number) {
    super(`message of ${bytes} bytes exceeds the bus limit of ${limit} bytes`);
    this.name = 'MessageTooLargeError';
  }
}

/** Header a bus sets on a synthetic reply when nobody listens on the request subject. */
export const NO_RESPONDERS_HEADER = 'polymux-no-responders';
