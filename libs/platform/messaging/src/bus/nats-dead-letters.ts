import type { JetStreamClient, JetStreamManager, JsMsg, NatsConnection } from 'nats';
import { DeadLetter } from '@polymux/contracts';

import { errorType } from '../error-type';
import type { BusHeaders, Unsubscribe } from './bus';
import type { DeadLetterReason } from './dead-letter';
import { countDeadLetter, deadLetterHeaders, deadLetterReason, redeliveryDelayMs, retryDelayMs } from './dead-letter';
import { fromNatsHeaders, toNatsHeaders } from './nats-headers';

/** Where a consumer's events live: `stream`/`subject` as named in the contracts, `natsStream`/`natsSubject` on the wire. */
export interface DurableTarget {
  stream: string;
  natsStream: string;
  subject: string;
  consumer: string;
}

interface MaxDeliveriesAdvisory {
  stream_seq: number;
  deliveries: number;
}

/**
 * Bounded redelivery for JetStream consumers: a failed delivery is retried with a growing delay,
 * and at the last delivery (or at once for poison) copied to `deadletter.<subject>` and
 * terminated. What JetStream itself gives up on (a handler that hung or a replica killed during
 * the last delivery) is announced in a max-deliveries advisory and dead-lettered from there.
 */
export class NatsDeadLetters {
  constructor(
    private readonly connection: NatsConnection,
    private readonly jetstream: JetStreamClient,
    private readonly manager: JetStreamManager,
    private readonly wireSubject: (subject: string) => string,
    private readonly policy: { maxDeliveries: number; retryBaseDelayMs: number },
  ) {}

  /** Handles a rejected handler: redeliver later, or dead-letter. */
  async failed(msg: JsMsg, target: DurableTarget, error: unknown): Promise<void> {
    const deliveries = msg.info.redeliveryCount;
    const reason = deadLetterReason(error, deliveries, this.policy.maxDeliveries);
    if (!reason) {
      msg.nak(redeliveryDelayMs(error, deliveries, this.policy.retryBaseDelayMs));
      return;
    }
    try {
      await this.store(target, msg.info.streamSequence, msg.data, fromNatsHeaders(msg.headers), {
        reason,
        deliveries,
        errorType: errorType(error),
      });
      msg.term();
    } catch {
      // The dead-letter stream is unavailable: retry; once JetStream gives up, the advisory path takes over.
      msg.nak(retryDelayMs(deliveries, this.policy.retryBaseDelayMs));
    }
  }

  /** Dead-letters what JetStream stopped delivering without a verdict from the handler. */
  watchAdvisories(target: DurableTarget): Unsubscribe {
    const subscription = this.connection.subscribe(
      `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${target.natsStream}.${target.consumer}`,
      {
        // One replica of the consumer handles each advisory.
        queue: target.consumer,
        callback: (error, msg) => {
          if (error) return;
          void this.fromAdvisory(target, msg.json<MaxDeliveriesAdvisory>()).catch(() => undefined);
        },
      },
    );
    return () => subscription.unsubscribe();
  }

  private async fromAdvisory(target: DurableTarget, advisory: MaxDeliveriesAdvisory): Promise<void> {
    const stored = await this.manager.streams.getMessage(target.natsStream, { seq: advisory.stream_seq });
    await this.store(target, advisory.stream_seq, stored.data, fromNatsHeaders(stored.header), {
      reason: 'max_deliveries',
      deliveries: advisory.deliveries,
      errorType: 'Unacknowledged',
    });
  }

  private async store(
    target: DurableTarget,
    sequence: number,
    data: Uint8Array,
    original: BusHeaders,
    details: { reason: DeadLetterReason; deliveries: number; errorType: string },
  ): Promise<void> {
    // Durable events are metadata only (usage, audit facts), so the copy holds no content.
    const headers = deadLetterHeaders(original, { ...details, consumer: target.consumer });
    const ack = await this.jetstream.publish(this.wireSubject(DeadLetter.subject(target.subject)), data, {
      // The same event dead-lettered twice (handler and advisory) is stored once.
      msgID: `${target.consumer}:${sequence}`,
      headers: toNatsHeaders(headers),
    });
    if (!ack.duplicate) countDeadLetter(target.subject, target.consumer, details.reason);
  }
}
