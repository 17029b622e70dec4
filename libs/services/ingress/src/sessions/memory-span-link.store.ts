import type { SpanContext } from '@opentelemetry/api';

import type { SpanLinkStore } from './span-link.store';

/** The most span contexts the embedded mode keeps: past it, the oldest goes first. */
export const MAX_MEMORY_SPAN_LINKS = 100_000;

interface Entry {
  context: SpanContext;
  expiresAtMs: number;
}

/**
 * The embedded mode's span-link store: one process, so a map in insertion order, which with one
 * TTL for all is expiry order too: expired entries are dropped from its front as new ones come.
 */
export class MemorySpanLinkStore implements SpanLinkStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = MAX_MEMORY_SPAN_LINKS,
  ) {}

  remember(orgId: string, requestId: string, context: SpanContext, ttlSeconds: number): Promise<void> {
    const nowMs = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAtMs > nowMs && this.entries.size < this.capacity) break;
      this.entries.delete(key);
    }
    const key = `${orgId}:${requestId}`;
    this.entries.delete(key);
    this.entries.set(key, { context, expiresAtMs: nowMs + ttlSeconds * 1_000 });
    return Promise.resolve();
  }

  find(orgId: string, requestId: string): Promise<SpanContext | undefined> {
    const entry = this.entries.get(`${orgId}:${requestId}`);
    return Promise.resolve(entry && entry.expiresAtMs > this.now() ? entry.context : undefined);
  }

  get size(): number {
    return this.entries.size;
  }
}
