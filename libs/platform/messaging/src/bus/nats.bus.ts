import { NatsNames } from '@polymux/contracts';
import type { JetStreamClient, JetStreamManager, MsgHdrs, NatsConnection } from 'nats';
import { AckPolicy, DeliverPolicy, ErrorCode, connect, createInbox, headers as natsHeaders, nanos } from 'nats';

import type { Bus, BusHeaders, BusMessage, IncomingMessage, StreamOptions, Unsubscribe } from './bus';
import { BusTimeoutError, NO_RESPONDERS_HEADER, NoRespondersError } from './bus';
import { requestMany } from './request-many';

/** Who connects and where its inboxes live (a service may subscribe only to its own inboxes). */
export interface NatsConnectOptions {
  user?: string;
  password?: string;
  inboxPrefix?: string;
}

const DEDUPE_WINDOW = nanos(120_000);
const MAX_AGE = nanos(7 * 24 * 3600 * 1000);
/** Durable events a replica processes at once. */
const DURABLE_CONCURRENCY = 64;

const toNatsHeaders = (record: BusHeaders): MsgHdrs | undefined => {
  const keys = Object.keys(record);
  if (keys.length === 0) return undefined;
  const result = natsHeaders();
  for (const key of keys) result.set(key, record[key]);
  return result;
};

const fromNatsHeaders = (source: MsgHdrs | undefined): BusHeaders => {
  const result: BusHeaders = {};
  if (!source) return result;
  if (source.hasError && source.code === 503) result[NO_RESPONDERS_HEADER] = '1';
  for (const key of source.keys()) result[key.toLowerCase()] = source.get(key);
  return result;
};

/** The distributed bus: core NATS for request/reply and broadcasts, JetStream for durable events. */
export class NatsBus implements Bus {
  private constructor(
    private readonly connection: NatsConnection,
    private readonly jetstream: JetStreamClient,
    private readonly manager: JetStreamManager,
    private readonly prefix: string,
    private readonly inboxPrefix: string | undefined,
  ) {}

  /**
   * `prefix` namespaces every subject and stream, so several Polymux deployments (or test runs)
   * can share one NATS cluster without seeing each other's traffic.
   */
  static async connect(url: string, name: string, prefix = '', options: NatsConnectOptions = {}): Promise<NatsBus> {
    const connection = await connect({
      servers: url,
      name,
      maxReconnectAttempts: -1,
      user: options.user,
      pass: options.password,
      inboxPrefix: options.inboxPrefix,
    });
    const manager = await connection.jetstreamManager();
    return new NatsBus(connection, connection.jetstream(), manager, prefix, options.inboxPrefix);
  }

  private subject(subject: string): string {
    return NatsNames.subject(this.prefix, subject);
  }

  private stream(name: string): string {
    return NatsNames.stream(this.prefix, name);
  }

  async request(subject: string, message: BusMessage, timeoutMs: number): Promise<BusMessage> {
    try {
      const reply = await this.connection.request(this.subject(subject), message.data, {
        timeout: timeoutMs,
        headers: toNatsHeaders(message.headers),
      });
      return { data: reply.data, headers: fromNatsHeaders(reply.headers) };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === ErrorCode.NoResponders) throw new NoRespondersError(subject);
      if (code === ErrorCode.Timeout) throw new BusTimeoutError(subject, timeoutMs);
      throw error;
    }
  }

  requestMany(subject: string, message: BusMessage, options: StreamOptions): AsyncIterable<BusMessage> {
    return requestMany(this, createInbox(this.inboxPrefix), subject, message, options);
  }

  publish(subject: string, message: BusMessage, reply?: string): void {
    this.connection.publish(this.subject(subject), message.data, { headers: toNatsHeaders(message.headers), reply });
  }

  subscribe(
    subject: string,
    handler: (message: IncomingMessage) => void,
    options: { queue?: string } = {},
  ): Unsubscribe {
    const subscription = this.connection.subscribe(this.subject(subject), {
      queue: options.queue,
      callback: (error, msg) => {
        if (error) return;
        handler({ subject: msg.subject, reply: msg.reply, data: msg.data, headers: fromNatsHeaders(msg.headers) });
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
    await this.manager.consumers.add(this.stream(stream), {
      durable_name: consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.subject(subject),
      ack_wait: nanos(30_000),
    });
    const messages = await (
      await this.jetstream.consumers.get(this.stream(stream), consumer)
    ).consume({
      max_messages: DURABLE_CONCURRENCY,
    });
    void (async () => {
      for await (const msg of messages) {
        handler({ data: msg.data, headers: fromNatsHeaders(msg.headers) }).then(
          () => msg.ack(),
          () => msg.nak(1_000),
        );
      }
    })();
    return () => void messages.close();
  }

  async close(): Promise<void> {
    await this.connection.drain();
  }
}
