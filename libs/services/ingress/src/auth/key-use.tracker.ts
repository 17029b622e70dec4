import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { KeyUses } from '@polymux/contracts';
import { KEY_USES_MAX, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

/**
 * The keys this replica accepted calls of, for their "last used" time: a call costs one `Map.set`
 * (the latest time per key id), and every `keys.useFlushMs` at most the keys used since go to control
 * in one `key.uses.recorded.v1` (core NATS, one control replica stores it), so the last use costs
 * a call no message, no Redis and no Postgres of its own; the admin API shows it that much later.
 * The timer runs only while uses wait. Pending uses are sent when the service shuts down; a replica
 * that crashes loses at most one interval of them.
 */
@Injectable()
export class KeyUseTracker implements BeforeApplicationShutdown {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly messaging: MessagingClient,
  ) {}

  /** `keyId` was accepted at `at` (epoch ms): the latest use replaces an earlier one. */
  used(keyId: string, at: number): void {
    this.pending.set(keyId, at);
    this.timer ??= setTimeout(() => this.flush(), this.config.keys.useFlushMs).unref();
  }

  // Before the bus closes (`onApplicationShutdown`), and, embedded, while control still listens.
  beforeApplicationShutdown(): void {
    this.flush();
  }

  /** Sends the uses waiting, `KEY_USES_MAX` a message. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const pending = this.pending;
    this.pending = new Map();
    let uses: KeyUses['uses'] = [];
    for (const [keyId, at] of pending) {
      uses.push({ keyId, at: new Date(at).toISOString() });
      if (uses.length === KEY_USES_MAX) {
        this.send(uses);
        uses = [];
      }
    }
    if (uses.length > 0) this.send(uses);
  }

  private send(uses: KeyUses['uses']): void {
    // Fire-and-forget on core NATS: a lost report leaves its keys' last use
    // where it was until their next one, and costs no call anything.
    void this.messaging.emit(Subjects.keyUses, { uses }, { messageId: uses[0]!.keyId }).catch(() => undefined);
  }
}
