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

/** How a batch consumer groups durable events (see `Bus.consumeDurableBatch`). */
export interface BatchOptions {
  /** Most events handed to the handler at once. */
  maxBatch: number;
  /** Longest an event waits for its batch to fill before the batch is handed over anyway. */
  maxWaitMs: number;
}

/**
 * A batch handler's verdict on single events, by index in the batch: those named failed (a
 * `PoisonMessageError` is dead-lettered at once, anything else redelivered); all others are acknowledged.
 */
export interface BatchResult {
  failures?: ReadonlyMap<number, unknown>;
}

export type BatchHandler = (messages: BusMessage[]) => Promise<BatchResult | void>;

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
   * at most `maxDeliveries` times in all; then, or at once for a `PoisonMessageError` or an
   * `AttemptsExhaustedError`, the event goes to the dead letters (`deadletter.<subject>`) and is
   * counted in `polymux.messaging.dead_letters`. A `RetryLaterError` names the wait before the next
   * delivery (the handler's own backoff) instead of the bus's doubling one.
   */
  consumeDurable(
    stream: string,
    subject: string,
    consumer: string,
    handler: (message: BusMessage) => Promise<void>,
  ): Promise<Unsubscribe>;
  /**
   * `consumeDurable` for handlers that write many events at once: delivers up to `maxBatch` events
   * per call and acknowledges each only once the handler resolved (after its commit). A batch that
   * rejects, or does not settle within the redelivery timeout, is handed over again one event at a
   * time, so one failing event fails alone; from there the dead-letter rules of `consumeDurable` apply.
   */
  consumeDurableBatch(
    stream: string,
    subject: string,
    consumer: string,
    handler: BatchHandler,
    options: BatchOptions,
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

/**
 * A durable handler's own retry schedule: the event is redelivered after `delayMs` instead of the
 * bus's default backoff (still bounded by the bus's deliveries).
 */
export class RetryLaterError extends Error {
  constructor(
    subject: string,
    readonly delayMs: number,
  ) {
    super(`${subject} is retried in ${delayMs} ms`);
    this.name = 'RetryLaterError';
  }
}

/** A durable handler gave up on an event after its own bound on attempts: dead-lettered at once. */
export class AttemptsExhaustedError extends Error {
  constructor(subject: string, attempts: number) {
    super(`${subject} failed ${attempts} attempts`);
    this.name = 'AttemptsExhaustedError';
  }
}

/** A durable handler that neither resolved nor rejected within the time its delivery is held for. */
export class DurableHandlerTimeoutError extends Error {
  constructor(subject: string, timeoutMs: number) {
    super(`handling ${subject} took longer than ${timeoutMs} ms`);
    this.name = 'DurableHandlerTimeoutError';
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
