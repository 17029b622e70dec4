import type { AuditRecorded } from '@polymux/contracts';

/** Appends records to one chain in one transaction; answers the ids it stored (not already there). */
export type ChainWrite = (chainId: string, records: AuditRecorded[]) => Promise<ReadonlySet<string>>;

interface Pending {
  record: AuditRecorded;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

/** Records per transaction at most (19 parameters each, far below Postgres's 65,535). */
const MAX_BATCH = 256;

/**
 * Group commit per chain: while a chain's transaction is in flight, records for it queue up and go
 * in the next transaction together. An idle chain writes at once (no timer, no added latency); a
 * busy one pays one lock and one commit per batch instead of per record. Chains never wait for
 * each other. Across replicas, the chain's head row lock orders the batches.
 */
export class ChainAppender {
  private readonly queues = new Map<string, Pending[]>();

  constructor(
    private readonly write: ChainWrite,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  /** Resolves once the record is committed: true when stored now, false when it was already stored. */
  append(chainId: string, record: AuditRecorded): Promise<boolean> {
    return this.appendAll(chainId, [record])[0];
  }

  /**
   * Queues records for one chain together, so they go in one transaction (one multi-row insert)
   * when the chain is idle; each promise resolves as `append`'s does.
   */
  appendAll(chainId: string, records: AuditRecorded[]): Array<Promise<boolean>> {
    const pending: Pending[] = [];
    const outcomes = records.map(
      (record) => new Promise<boolean>((resolve, reject) => pending.push({ record, resolve, reject })),
    );
    const queue = this.queues.get(chainId);
    if (queue) {
      queue.push(...pending);
    } else if (pending.length > 0) {
      this.queues.set(chainId, pending);
      void this.drain(chainId);
    }
    return outcomes;
  }

  /** Writes the chain's queue batch by batch until it is empty. */
  private async drain(chainId: string): Promise<void> {
    const queue = this.queues.get(chainId) ?? [];
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        this.settle(
          batch,
          await this.write(
            chainId,
            batch.map((pending) => pending.record),
          ),
        );
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        // One bad record must not fail the others on every redelivery: write them one by one.
        else for (const pending of batch) await this.writeAlone(chainId, pending);
      }
    }
    this.queues.delete(chainId);
  }

  private async writeAlone(chainId: string, pending: Pending): Promise<void> {
    try {
      this.settle([pending], await this.write(chainId, [pending.record]));
    } catch (error) {
      pending.reject(error);
    }
  }

  /** The first pending of each stored id is the one that stored it; repeats and known ids were not. */
  private settle(batch: Pending[], stored: ReadonlySet<string>): void {
    const seen = new Set<string>();
    for (const pending of batch) {
      const id = pending.record.id;
      pending.resolve(stored.has(id) && !seen.has(id));
      seen.add(id);
    }
  }
}
