import type { BatchHandler, BatchOptions, BatchResult, BusMessage } from './bus';
import { DurableHandlerTimeoutError } from './bus';

/** One delivery of a durable event, with the bus's ways to conclude it. */
export interface BatchDelivery {
  message: BusMessage;
  /** Handled: acknowledge it. */
  ack(): void;
  /** This delivery failed: redeliver later or dead-letter, by the bus's rules. */
  fail(error: unknown): void;
  /** Never handed to the handler (the consumer stopped): give it back for redelivery now. */
  release(): void;
}

/** Batches one replica of a consumer handles at once: a slow or stuck batch does not stop the others. */
const IN_FLIGHT = 4;

/**
 * Groups one consumer's deliveries into batches for a `BatchHandler`, the part both buses share.
 * A batch is handed over once it holds `maxBatch` deliveries or its oldest has waited `maxWaitMs`,
 * and a slot is free; what arrives while all slots are busy forms the next batch (group commit).
 * A batch that rejects, or does not settle within `timeoutMs`, is handed over again one delivery
 * at a time, so one failing event concludes alone and the others are acknowledged.
 */
export class DurableBatches {
  private readonly queue: BatchDelivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The queue's oldest delivery has waited `maxWaitMs`: hand it over as soon as a slot is free. */
  private due = false;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly subject: string,
    private readonly handler: BatchHandler,
    private readonly options: BatchOptions & { timeoutMs: number },
  ) {}

  push(delivery: BatchDelivery): void {
    if (this.closed) return delivery.release();
    this.queue.push(delivery);
    if (this.queue.length === 1 && !this.due) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.due = true;
        this.dispatch();
      }, this.options.maxWaitMs);
    }
    this.dispatch();
  }

  /** Stops handing over batches (those in flight finish); answers the deliveries never handed over. */
  close(): BatchDelivery[] {
    this.closed = true;
    clearTimeout(this.timer);
    return this.queue.splice(0);
  }

  private dispatch(): void {
    const { maxBatch } = this.options;
    while (
      !this.closed &&
      this.inFlight < IN_FLIGHT &&
      (this.queue.length >= maxBatch || (this.due && this.queue.length > 0))
    ) {
      const batch = this.queue.splice(0, maxBatch);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.dispatch();
      });
    }
    if (this.queue.length === 0) {
      this.due = false;
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private async run(batch: BatchDelivery[]): Promise<void> {
    let result: BatchResult | void;
    try {
      result = await this.bounded(batch.map((delivery) => delivery.message));
    } catch (error) {
      if (batch.length === 1) return batch[0].fail(error);
      // One event must not fail the others, nor itself with them on every redelivery: each alone.
      await Promise.all(batch.map((delivery) => this.run([delivery])));
      return;
    }
    const failures = result?.failures;
    batch.forEach((delivery, index) => {
      if (failures?.has(index)) delivery.fail(failures.get(index));
      else delivery.ack();
    });
  }

  /** The handler's answer, or a `DurableHandlerTimeoutError` once it took longer than `timeoutMs`. */
  private bounded(messages: BusMessage[]): Promise<BatchResult | void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new DurableHandlerTimeoutError(this.subject, this.options.timeoutMs)),
        this.options.timeoutMs,
      );
    });
    const handled = Promise.resolve().then(() => this.handler(messages));
    return Promise.race([handled, timeout]).finally(() => clearTimeout(timer));
  }
}
