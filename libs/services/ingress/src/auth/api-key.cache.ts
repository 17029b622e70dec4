import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { ApiKeyRecord } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

interface Entry {
  record: ApiKeyRecord | null;
  fetchedAt: number;
  refreshing?: Promise<ApiKeyRecord | null>;
}

const MAX_ENTRIES = 100_000;
/** Unknown keys are remembered briefly so that a flood of bad keys does not flood control. */
const NEGATIVE_TTL_MS = 5_000;

/**
 * API keys by hash, in memory: a call waits on control only the first time a replica sees a key;
 * afterwards stale entries are refreshed in the background, and revocations arrive as broadcasts.
 * Concurrent lookups of one key share one request to control (a burst of calls with a new key would
 * otherwise ask control once each, and time out).
 */
@Injectable()
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly lookups = new Map<string, Promise<ApiKeyRecord | null>>();

  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly messaging: MessagingClient,
  ) {}

  async resolve(keyHash: string, requestId: string): Promise<ApiKeyRecord | null> {
    const entry = this.entries.get(keyHash);
    if (!entry) return this.fetch(keyHash, requestId);
    const ttl = entry.record ? this.config.keys.cacheTtlMs : NEGATIVE_TTL_MS;
    if (Date.now() - entry.fetchedAt > ttl && !entry.refreshing) {
      if (!entry.record) return this.fetch(keyHash, requestId);
      entry.refreshing = this.fetch(keyHash, requestId).catch(() => {
        entry.refreshing = undefined;
        return entry.record;
      });
    }
    return entry.record;
  }

  /** Whether the key behind this hash is cached as a valid key (a revoked one is cached as null). */
  holdsValid(keyHash: string): boolean {
    return this.entries.get(keyHash)?.record != null;
  }

  /** Every key refetched on its next use: a routing policy changed, and which keys it reaches is control's to know. */
  forgetAll(): void {
    this.entries.clear();
  }

  forget(keyHash: string): void {
    this.entries.set(keyHash, { record: null, fetchedAt: Date.now() });
  }

  /** The lookup of `keyHash` in flight, or a new one (under the first caller's request id). */
  private fetch(keyHash: string, requestId: string): Promise<ApiKeyRecord | null> {
    const inFlight = this.lookups.get(keyHash);
    if (inFlight) return inFlight;
    const lookup = this.lookup(keyHash, requestId).finally(() => this.lookups.delete(keyHash));
    this.lookups.set(keyHash, lookup);
    return lookup;
  }

  private async lookup(keyHash: string, requestId: string): Promise<ApiKeyRecord | null> {
    const { key } = await this.messaging.request(Subjects.resolveKey, { keyHash }, { requestId, timeoutMs: 3_000 });
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(keyHash, { record: key, fetchedAt: Date.now() });
    return key;
  }
}
