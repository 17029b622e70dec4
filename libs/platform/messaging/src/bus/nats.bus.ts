import { NatsNames } from '@polymux/contracts';
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { AckPolicy, DeliverPolicy, ErrorCode, connect, createInbox, nanos } from 'nats';

import type {
  BatchHandler,
  BatchOptions,
  Bus,
  BusMessage,
  DurableBacklog,
  IncomingMessage,
  StreamOptions,
  Unsubscribe,
} from './bus';
import { BusTimeoutError, NoRespondersError } from './bus';
import { DEFAULT_MAX_DELIVERIES } from './dead-letter';
import { DurableBatches } from './durable-batches';
import type { DurableTarget } from './nats-dead-letters';
import { NatsDeadLetters } from './nats-dead-letters';
import { fromNatsHeaders, toNatsHeaders } from './nats-headers';
import { NatsPieces } from './nats-pieces';
import { requestMany } from './request-many';

const DEDUPE_WINDOW = nanos(120_000);
const MAX_AGE = nanos(7 * 24 * 3600 * 1000);
/** Durable events a replica processes at once. */
const DURABLE_CONCURRENCY = 64;
const PIECE_TIMEOUT_MS = 5_000;
/** Cancel subjects are `<caller's inbox prefix>.cancel.<connection>.<call>`. */
const CANCEL_SEGMENT = '.cancel.';

interface ReplyMux {
  inbox: string;
  /** The inbox's last token: names the connection in its cancel subjects. */
  id: string;
  routes: Map<string, (message: IncomingMessage) => void>;
  calls: number;
}

export interface NatsBusOptions {
  /** Namespaces every subject and stream (see `connect`). */
  prefix?: string;
  /** This service's NATS user, on a server with authentication. */
  user?: string;
  password?: string;
  /** Where this connection's inboxes live (a service may subscribe only to its own inboxes). */
  inboxPrefix?: string;
  /** Deliveries of a durable event before it is dead-lettered. */
  maxDeliveries?: number;
  /** Largest message carried (in pieces when over the server's `max_payload`). */
  maxMessageBytes?: number;
  /** Wait before the first redelivery of a failed durable event; each later one waits 10× longer. */
  retryBaseDelayMs?: number;
  /** How long a durable delivery may stay unacknowledged before JetStream redelivers it. */
  ackWaitMs?: number;
}

/** Acks and naks throw once the connection is closed; JetStream then redelivers after the ack wait. */
const settleQuietly = (settle: () => void): void => {
  try {
    settle();
  } catch {
    // Redelivered after the ack wait: handlers are idempotent.
  }
};

/**
 * The distributed bus: core NATS for request/reply and broadcasts, JetStream for durable events.
 * Messages over the server's `max_payload` travel in pieces over `_INBOX.` subjects (`NatsPieces`).
 */
export class NatsBus implements Bus {
  private readonly pieces: NatsPieces;
  private readonly prefix: string;
  private readonly inboxPrefix: string | undefined;
  private readonly maxDeliveries: number;
  private readonly ackWaitMs: number;
  private readonly deadLetters: NatsDeadLetters;
  private replies: ReplyMux | undefined;
  private readonly cancelWatchers = new Map<string, Map<string, () => void>>();

  private constructor(
    private readonly connection: NatsConnection,
    private readonly jetstream: JetStreamClient,
    private readonly manager: JetStreamManager,
    options: NatsBusOptions,
  ) {
    this.prefix = options.prefix ?? '';
    this.inboxPrefix = options.inboxPrefix;
    this.maxDeliveries = options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.deadLetters = new NatsDeadLetters(connection, jetstream, manager, (subject) => this.subject(subject), {
      maxDeliveries: this.maxDeliveries,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 1_000,
    });
    this.pieces = new NatsPieces(
      connection,
      options.maxMessageBytes ?? 16 * 1024 * 1024,
      PIECE_TIMEOUT_MS,
      this.inboxPrefix,
    );
  }

  /**
   * `prefix` namespaces every subject and stream, so several Polymux deployments (or test runs)
   * can share one NATS cluster without seeing each other's traffic.
   */
  static async connect(url: string, name: string, prefix = '', options: NatsBusOptions = {}): Promise<NatsBus> {
    const connection = await connect({
      servers: url,
      name,
      maxReconnectAttempts: -1,
      user: options.user,
      pass: options.password,
      inboxPrefix: options.inboxPrefix,
      // Without it the client builds an Error (a stack trace) for every request, to name the caller.
      noAsyncTraces: true,
    });
    const manager = await connection.jetstreamManager();
    return new NatsBus(connection, connection.jetstream(), manager, { ...options, prefix });
  }

  private subject(subject: string): string {
    return NatsNames.subject(this.prefix, subject);
  }

  private stream(name: string): string {
    return NatsNames.stream(this.prefix, name);
  }

  async request(subject: string, message: BusMessage, timeoutMs: number): Promise<BusMessage> {
    try {
      const outgoing = this.pieces.outgoing(message);
      const reply = await this.connection.request(this.subject(subject), outgoing.data, {
        timeout: timeoutMs,
        headers: toNatsHeaders(outgoing.headers),
      });
      const incoming = { data: reply.data, headers: fromNatsHeaders(reply.headers) };
      return this.pieces.isStub(incoming.headers) ? await this.pieces.collect(incoming) : incoming;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === ErrorCode.NoResponders) throw new NoRespondersError(subject);
      if (code === ErrorCode.Timeout) throw new BusTimeoutError(subject, timeoutMs);
      throw error;
    }
  }

  /**
   * Every streamed call of this connection shares one reply subscription (`<inbox>.*`, one route
   * per call) and one cancel namespace (`<inbox prefix>.cancel.>`), so a call costs the server no
   * subscribe and unsubscribe.
   */
  requestMany(subject: string, message: BusMessage, options: StreamOptions): AsyncIterable<BusMessage> {
    const replies = this.replyMux();
    const token = String(++replies.calls);
    const inbox = `${replies.inbox}.${token}`;
    const route = {
      inbox,
      cancelSubject: `${this.inboxPrefix ?? '_INBOX'}${CANCEL_SEGMENT}${replies.id}.${token}`,
      listen: (handler: (reply: BusMessage) => void) => {
        replies.routes.set(inbox, this.inOrder(handler));
        return () => replies.routes.delete(inbox);
      },
    };
    return requestMany(this, route, subject, message, options);
  }

  /**
   * Responders of one caller namespace share one wildcard subscription; a cancel subject of
   * another shape (an older caller) gets its own.
   */
  watchCancel(cancelSubject: string, onCancel: () => void): Unsubscribe {
    const at = cancelSubject.indexOf(CANCEL_SEGMENT);
    if (at < 0) return this.subscribe(cancelSubject, onCancel);
    const wildcard = `${cancelSubject.slice(0, at)}${CANCEL_SEGMENT}>`;
    let watchers = this.cancelWatchers.get(wildcard);
    if (!watchers) {
      const watching = new Map<string, () => void>();
      this.connection.subscribe(wildcard, { callback: (error, msg) => error || watching.get(msg.subject)?.() });
      watchers = watching;
      this.cancelWatchers.set(wildcard, watchers);
    }
    const registered = watchers;
    registered.set(cancelSubject, onCancel);
    return () => registered.delete(cancelSubject);
  }

  private replyMux(): ReplyMux {
    if (this.replies) return this.replies;
    const inbox = createInbox(this.inboxPrefix);
    const routes = new Map<string, (message: IncomingMessage) => void>();
    this.connection.subscribe(`${inbox}.*`, {
      callback: (error, msg) => {
        if (error) return;
        routes.get(msg.subject)?.({ subject: msg.subject, data: msg.data, headers: fromNatsHeaders(msg.headers) });
      },
    });
    this.replies = { inbox, id: inbox.slice(inbox.lastIndexOf('.') + 1), routes, calls: 0 };
    return this.replies;
  }

  /** Throws `MessageTooLargeError` over the bus limit, or what NATS throws (e.g. a closed connection). */
  publish(subject: string, message: BusMessage, reply?: string): void {
    const outgoing = this.pieces.outgoing(message);
    this.connection.publish(this.subject(subject), outgoing.data, { headers: toNatsHeaders(outgoing.headers), reply });
  }

  subscribe(
    subject: string,
    handler: (message: IncomingMessage) => void,
    options: { queue?: string } = {},
  ): Unsubscribe {
    // Frames of a streamed reply arrive on an inbox and must reach the caller in order, also when
    // one of them is first fetched in pieces; requests on a service subject are independent.
    const deliver = subject.startsWith('_INBOX.') ? this.inOrder(handler) : this.independently(handler);
    const subscription = this.connection.subscribe(this.subject(subject), {
      queue: options.queue,
      callback: (error, msg) => {
        if (error) return;
        deliver({ subject: msg.subject, reply: msg.reply, data: msg.data, headers: fromNatsHeaders(msg.headers) });
      },
    });
    return () => subscription.unsubscribe();
  }

  async ensureStream(name: string, subjects: string[]): Promise<void> {
    const stream = this.stream(name);
    const config = {
      subjects: subjects.map((subject) => this.subject(subject)),
      duplicate_window: DEDUPE_WINDOW,
      max_age: MAX_AGE,
    };
    try {
      await this.manager.streams.info(stream);
      await this.manager.streams.update(stream, config);
    } catch (error) {
      if ((error as { code?: string }).code !== '404') throw error;
      await this.manager.streams.add({ name: stream, ...config });
    }
  }

  async publishDurable(subject: string, message: BusMessage, messageId: string): Promise<void> {
    await this.jetstream.publish(this.subject(subject), message.data, {
      msgID: messageId,
      headers: toNatsHeaders(message.headers),
    });
  }

  async consumeDurable(
    stream: string,
    subject: string,
    consumer: string,
    handler: (message: BusMessage) => Promise<void>,
  ): Promise<Unsubscribe> {
    const target = await this.durableConsumer(stream, subject, consumer);
    const stopWatching = this.deadLetters.watchAdvisories(target);
    const messages = await (
      await this.jetstream.consumers.get(target.natsStream, consumer)
    ).consume({
      max_messages: DURABLE_CONCURRENCY,
    });
    void (async () => {
      for await (const msg of messages) {
        handler({ data: msg.data, headers: fromNatsHeaders(msg.headers) }).then(
          () => msg.ack(),
          (error: unknown) => this.deadLetters.failed(msg, target, error),
        );
      }
    })();
    return () => {
      stopWatching();
      void messages.close();
    };
  }

  async consumeDurableBatch(
    stream: string,
    subject: string,
    consumer: string,
    handler: BatchHandler,
    options: BatchOptions,
  ): Promise<Unsubscribe> {
    const target = await this.durableConsumer(stream, subject, consumer);
    const stopWatching = this.deadLetters.watchAdvisories(target);
    // Half the ack wait for the batch and half for its events one by one: both conclude before
    // JetStream would redeliver them.
    const batches = new DurableBatches(subject, handler, { ...options, timeoutMs: this.ackWaitMs / 2 });
    const messages = await (
      await this.jetstream.consumers.get(target.natsStream, consumer)
    ).consume({
      max_messages: Math.max(options.maxBatch, DURABLE_CONCURRENCY),
      callback: (msg) =>
        batches.push({
          message: { data: msg.data, headers: fromNatsHeaders(msg.headers) },
          ack: () => settleQuietly(() => msg.ack()),
          fail: (error) => void this.deadLetters.failed(msg, target, error).catch(() => undefined),
          release: () => settleQuietly(() => msg.nak()),
        }),
    });
    return () => {
      stopWatching();
      void messages.close();
      // Pulled but not handled: back to JetStream at once, for another replica, not after the ack wait.
      for (const delivery of batches.close()) delivery.release();
    };
  }

  /** Creates (or finds) the durable pull consumer; its settings are the same for both ways of consuming. */
  private async durableConsumer(stream: string, subject: string, consumer: string): Promise<DurableTarget> {
    const target = { stream, natsStream: this.stream(stream), subject, consumer };
    await this.manager.consumers.add(target.natsStream, {
      durable_name: consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.subject(subject),
      ack_wait: nanos(this.ackWaitMs),
      // Nothing is delivered forever: after this many, JetStream stops and announces it.
      max_deliver: this.maxDeliveries,
    });
    return target;
  }

  /** Resolves once the server has processed everything sent so far (e.g. a new subscription). */
  async flush(): Promise<void> {
    await this.connection.flush();
  }

  /**
   * From the consumer's state: everything up to its ack floor is acknowledged, so the oldest
   * message it has not handled is the next one in the stream (each stream holds only its subjects).
   */
  async durableBacklog(stream: string, consumer: string): Promise<DurableBacklog> {
    const name = this.stream(stream);
    const info = await this.manager.consumers.info(name, consumer);
    const pending = info.num_pending + info.num_ack_pending;
    if (pending === 0) return { pending, oldestPublishedAtMs: null };
    try {
      const oldest = await this.manager.streams.getMessage(name, { seq: info.ack_floor.stream_seq + 1 });
      return { pending, oldestPublishedAtMs: oldest.time.getTime() };
    } catch (error) {
      // Gone from the stream (aged out): nothing left to handle there.
      if ((error as { code?: string }).code === '404') return { pending, oldestPublishedAtMs: null };
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.connection.drain();
  }

  private independently(handler: (message: IncomingMessage) => void): (message: IncomingMessage) => void {
    return (message) => {
      if (!this.pieces.isStub(message.headers)) return handler(message);
      // A body that cannot be fetched (its sender gone) is dropped; the caller's timeout reports it.
      this.pieces.collect(message).then(handler, () => undefined);
    };
  }

  private inOrder(handler: (message: IncomingMessage) => void): (message: IncomingMessage) => void {
    let tail: Promise<void> = Promise.resolve();
    let waiting = 0;
    return (message) => {
      const stub = this.pieces.isStub(message.headers);
      if (!stub && waiting === 0) return handler(message);
      waiting++;
      // Fetching starts now; a frame whose body cannot be fetched is skipped, not delivered.
      const ready = stub ? this.pieces.collect(message).catch(() => null) : Promise.resolve(message);
      tail = tail
        .then(() => ready)
        .then((resolved) => {
          waiting--;
          if (resolved) handler(resolved);
        })
        .catch(() => undefined);
    };
  }
}
