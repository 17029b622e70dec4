import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { ResolvedKey } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

interface Entry {
  resolved: ResolvedKey;
  fetchedAt: number;
  refreshing?: Promise<ResolvedKey>;
}

const MAX_ENTRIES = 100_000;
/** Unknown keys are remembered briefly so that a flood of bad keys does not flood control. */
const NEGATIVE_TTL_MS = 5_000;

/**
 * API keys by hash, in memory: a call waits on control only the first time a replica sees a key;
 * afterwards stale entries are refreshed in the background, and revocations and changes arrive as
 * broadcasts. Concurrent lookups of one key share one request to control (a burst of calls with a
 * new key would otherwise ask control once each, and time out). A lookup that was in flight when a
 * broadcast arrived answers its call but is not kept: it may predate the change.
 */
@Injectable()
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly lookups = new Map<string, Promise<ResolvedKey>>();
  /** Incremented by every broadcast that drops or changes entries. */
  private generation = 0;

  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly messaging: MessagingClient,
  ) {}

  /** The key behind a secret's hash, or null, with the reason when the secret was a key's. */
  async resolve(keyHash: string, requestId: string): Promise<ResolvedKey> {
    const entry = this.entries.get(keyHash);
    if (!entry) return this.fetch(keyHash, requestId);
    const ttl = entry.resolved.key ? this.config.keys.cacheTtlMs : NEGATIVE_TTL_MS;
    if (Date.now() - entry.fetchedAt > ttl && !entry.refreshing) {
      if (!entry.resolved.key) return this.fetch(keyHash, requestId);
      // Settled, the entry is replaced, or (failed, or not kept) refreshed again on its next use.
      entry.refreshing = this.fetch(keyHash, requestId)
        .catch(() => entry.resolved)
        .finally(() => {
          entry.refreshing = undefined;
        });
    }
    return entry.resolved;
  }

  /** Whether the key behind this hash is cached as a valid key (a revoked one is cached as null). */
  holdsValid(keyHash: string): boolean {
    return this.entries.get(keyHash)?.resolved.key != null;
  }

  /** Every key refetched on its next use: a routing policy changed, and which keys it reaches is control's to know. */
  forgetAll(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** These secrets refetched on their next use: their key's scopes, limits or secrets changed. */
  drop(keyHashes: readonly string[]): void {
    this.generation += 1;
    for (const keyHash of keyHashes) this.entries.delete(keyHash);
  }

  /** The key was revoked: its secret is refused from now on, without asking control. */
  forget(keyHash: string): void {
    this.generation += 1;
    this.entries.set(keyHash, {
      resolved: { key: null, refusal: { reason: 'revoked', at: new Date(Date.now()).toISOString() } },
      fetchedAt: Date.now(),
    });
  }

  /** The lookup of `keyHash` in flight, or a new one (under the first caller's request id). */
  private fetch(keyHash: string, requestId: string): Promise<ResolvedKey> {
    const inFlight = this.lookups.get(keyHash);
    if (inFlight) return inFlight;
    const lookup = this.lookup(keyHash, requestId).finally(() => this.lookups.delete(keyHash));
    this.lookups.set(keyHash, lookup);
    return lookup;
  }

  private async lookup(keyHash: string, requestId: string): Promise<ResolvedKey> {
    const generation = this.generation;
    const resolved = await this.messaging.request(Subjects.resolveKey, { keyHash }, { requestId, timeoutMs: 3_000 });
    if (generation !== this.generation) return resolved;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(keyHash, { resolved, fetchedAt: Date.now() });
    return resolved;
  }
}
