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
import { BusTimeoutError, NO_RESPONDERS_HEADER } from './bus';
import type { DeadLetterReason } from './dead-letter';
import { DEFAULT_MAX_DELIVERIES, countDeadLetter, deadLetterReason, redeliveryDelayMs } from './dead-letter';
import type { BatchDelivery } from './durable-batches';
import { DurableBatches } from './durable-batches';
import { requestMany } from './request-many';

type Handler = (message: IncomingMessage) => void;
interface Subscription {
  handler: Handler;
  queue?: string;
}
interface DurableConsumer {
  name: string;
  subject: string;
  /** Hands one delivery to the handler, alone or in a batch. */
  receive: (delivery: BatchDelivery) => void;
  stop: () => void;
  /** Messages not yet handled (nor dead-lettered), each with when it was published. */
  unhandled: Map<BusMessage, number>;
}

const DEDUPE_WINDOW_MS = 120_000;
/** Dead letters kept in memory; the oldest are forgotten first (the metric still counts them). */
const DEAD_LETTERS_KEPT = 1_000;
/** Events published before any consumer of their subject started, kept for the consumers to come. */
const PENDING_KEPT = 10_000;
/** How long a batch handler may take before its events are handed over one by one (JetStream's ack wait). */
const BATCH_TIMEOUT_MS = 15_000;

/** A durable event the embedded bus gave up on; the counterpart of an entry in `DEADLETTER`. */
export interface MemoryDeadLetter {
  subject: string;
  consumer: string;
  reason: DeadLetterReason;
  deliveries: number;
  message: BusMessage;
}

/**
 * In-process bus for the embedded mode: the same semantics as NATS (queue groups, inbox replies,
 * no-responders, durable once-per-consumer delivery with de-duplication, bounded redelivery and
 * dead letters) in memory. Messages have no size cap here.
 */
export class MemoryBus implements Bus {
  /** The latest dead letters, oldest first. */
  readonly deadLetters: MemoryDeadLetter[] = [];
  private readonly subscriptions = new Map<string, Subscription[]>();
  private readonly consumers = new Map<string, DurableConsumer>();
  private readonly pending = new Map<string, Array<{ message: BusMessage; publishedAtMs: number }>>();
  /** Message ids seen inside the de-duplication window, with when they were seen. */
  private readonly seenMessageIds = new Map<string, number>();
  private readonly roundRobin = new Map<string, number>();
  private closed = false;
  private inboxes = 0;

  constructor(private readonly options: { maxDeliveries?: number; retryBaseDelayMs?: number } = {}) {}

  async request(subject: string, message: BusMessage, timeoutMs: number): Promise<BusMessage> {
    const iterator = this.requestMany(subject, message, { firstTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs });
    for await (const reply of iterator) return reply;
    throw new BusTimeoutError(subject, timeoutMs);
  }

  requestMany(subject: string, message: BusMessage, options: StreamOptions): AsyncIterable<BusMessage> {
    const inbox = `_INBOX.memory.${++this.inboxes}`;
    const route = {
      inbox,
      cancelSubject: `${inbox}.cancel`,
      listen: (handler: (reply: BusMessage) => void) => this.subscribe(inbox, handler),
    };
    return requestMany(this, route, subject, message, options);
  }

  watchCancel(cancelSubject: string, onCancel: () => void): Unsubscribe {
    return this.subscribe(cancelSubject, onCancel);
  }

  publish(subject: string, message: BusMessage, reply?: string): void {
    if (this.closed) return;
    const targets = this.pickTargets(subject);
    if (targets.length === 0) {
      if (reply) this.publish(reply, { data: new Uint8Array(0), headers: { [NO_RESPONDERS_HEADER]: '1' } });
      return;
    }
    for (const target of targets) {
      queueMicrotask(() => target.handler({ subject, reply, data: message.data, headers: message.headers }));
    }
  }

  subscribe(subject: string, handler: Handler, options: { queue?: string } = {}): Unsubscribe {
    const subscription: Subscription = { handler, queue: options.queue };
    const list = this.subscriptions.get(subject) ?? [];
    list.push(subscription);
    this.subscriptions.set(subject, list);
    return () => {
      const current = this.subscriptions.get(subject)?.filter((entry) => entry !== subscription) ?? [];
      if (current.length === 0) this.subscriptions.delete(subject);
      else this.subscriptions.set(subject, current);
    };
  }

  async ensureStream(): Promise<void> {
    // Nothing to provision in memory.
  }

  async publishDurable(subject: string, message: BusMessage, messageId: string): Promise<void> {
    const key = `${subject}\u0000${messageId}`;
    const now = Date.now();
    if ((this.seenMessageIds.get(key) ?? -Infinity) > now - DEDUPE_WINDOW_MS) return;
    this.seenMessageIds.set(key, now);
    this.forgetOldMessageIds(now);
    let delivered = false;
    for (const consumer of this.consumers.values()) {
      if (consumer.subject !== subject) continue;
      delivered = true;
      this.deliver(consumer, message, now);
    }
    if (!delivered) this.keepPending(subject, message, now);
  }

  async consumeDurable(
    _stream: string,
    subject: string,
    consumer: string,
    handler: (message: BusMessage) => Promise<void>,
  ): Promise<Unsubscribe> {
    return this.startConsumer(consumer, subject, {
      receive: (delivery) =>
        setImmediate(() => {
          if (this.closed) return;
          handler(delivery.message).then(
            () => delivery.ack(),
            (error: unknown) => delivery.fail(error),
          );
        }),
      stop: () => undefined,
    });
  }

  async consumeDurableBatch(
    _stream: string,
    subject: string,
    consumer: string,
    handler: BatchHandler,
    options: BatchOptions,
  ): Promise<Unsubscribe> {
    const batches = new DurableBatches(subject, handler, { ...options, timeoutMs: BATCH_TIMEOUT_MS });
    return this.startConsumer(consumer, subject, {
      receive: (delivery) => batches.push(delivery),
      stop: () => {
        for (const delivery of batches.close()) delivery.release();
      },
    });
  }

  async durableBacklog(_stream: string, consumer: string): Promise<DurableBacklog> {
    const entry = this.consumers.get(consumer);
    if (!entry) return { pending: 0, oldestPublishedAtMs: null };
    let oldest: number | null = null;
    for (const publishedAtMs of entry.unhandled.values()) oldest = Math.min(oldest ?? publishedAtMs, publishedAtMs);
    return { pending: entry.unhandled.size, oldestPublishedAtMs: oldest };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriptions.clear();
    for (const consumer of this.consumers.values()) consumer.stop();
    this.consumers.clear();
  }

  private startConsumer(
    name: string,
    subject: string,
    handling: Pick<DurableConsumer, 'receive' | 'stop'>,
  ): Unsubscribe {
    const entry: DurableConsumer = { name, subject, ...handling, unhandled: new Map() };
    this.consumers.set(name, entry);
    // Kept, not taken: every consumer of the subject that starts later gets them too, as with JetStream.
    for (const { message, publishedAtMs } of this.pending.get(subject) ?? [])
      this.deliver(entry, message, publishedAtMs);
    return () => {
      if (this.consumers.get(name) !== entry) return;
      this.consumers.delete(name);
      entry.stop();
    };
  }

  private keepPending(subject: string, message: BusMessage, publishedAtMs: number): void {
    const backlog = this.pending.get(subject) ?? [];
    backlog.push({ message, publishedAtMs });
    if (backlog.length > PENDING_KEPT) backlog.shift();
    this.pending.set(subject, backlog);
  }

  private forgetOldMessageIds(now: number): void {
    for (const [key, seenAt] of this.seenMessageIds) {
      if (seenAt > now - DEDUPE_WINDOW_MS) return;
      this.seenMessageIds.delete(key);
    }
  }

  private deliver(consumer: DurableConsumer, message: BusMessage, publishedAtMs: number, deliveries = 1): void {
    consumer.unhandled.set(message, publishedAtMs);
    consumer.receive({
      message,
      ack: () => void consumer.unhandled.delete(message),
      fail: (error) => this.failed(consumer, message, publishedAtMs, deliveries, error),
      release: () => {
        consumer.unhandled.delete(message);
        this.keepPending(consumer.subject, message, publishedAtMs);
      },
    });
  }

  /** A failed delivery: redelivered after a growing delay, or dead-lettered. */
  private failed(
    consumer: DurableConsumer,
    message: BusMessage,
    publishedAtMs: number,
    deliveries: number,
    error: unknown,
  ): void {
    const maxDeliveries = this.options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
    const reason = deadLetterReason(error, deliveries, maxDeliveries);
    if (!reason) {
      const delay = redeliveryDelayMs(error, deliveries, this.options.retryBaseDelayMs ?? 200);
      setTimeout(() => {
        if (!this.closed) this.deliver(consumer, message, publishedAtMs, deliveries + 1);
      }, delay);
      return;
    }
    consumer.unhandled.delete(message);
    this.deadLetters.push({ subject: consumer.subject, consumer: consumer.name, reason, deliveries, message });
    if (this.deadLetters.length > DEAD_LETTERS_KEPT) this.deadLetters.shift();
    countDeadLetter(consumer.subject, consumer.name, reason);
  }

  private pickTargets(subject: string): Subscription[] {
    const list = this.subscriptions.get(subject);
    if (!list || list.length === 0) return [];
    const plain = list.filter((entry) => !entry.queue);
    const groups = new Map<string, Subscription[]>();
    for (const entry of list) {
      if (!entry.queue) continue;
      groups.set(entry.queue, [...(groups.get(entry.queue) ?? []), entry]);
    }
    for (const [queue, members] of groups) {
      const counterKey = `${subject}\u0000${queue}`;
      const next = (this.roundRobin.get(counterKey) ?? 0) % members.length;
      this.roundRobin.set(counterKey, next + 1);
      plain.push(members[next]);
    }
    return plain;
  }
}
