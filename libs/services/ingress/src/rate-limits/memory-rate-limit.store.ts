import type { Admission, AdmitRequest, EndRequest, LimitKind, RateLimitStore, ScopeUse } from './rate-limit.store';
import { WINDOW_MS, windowStartOf } from './rate-limit.store';

interface Counter {
  value: number;
  expiresAtMs: number;
}

const scopeKey = (orgId: string, scope: string, scopeId: string) => `${orgId}:${scope}:${scopeId}`;

/** The embedded mode's rate-limit store: one process, so plain maps, with the Redis store's rules. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters = new Map<string, Counter>();
  /** Scope → call id → lease end (epoch ms). */
  private readonly inFlight = new Map<string, Map<string, number>>();
  private nextSweepMs = 0;

  admit(request: AdmitRequest): Promise<Admission> {
    const { nowMs, tokens } = request;
    this.sweep(nowMs);
    const windowStartMs = windowStartOf(nowMs);
    const expiresAtMs = windowStartMs + WINDOW_MS;
    const keys = request.limits.map((limits) => scopeKey(request.orgId, limits.scope, limits.scopeId));
    const use: ScopeUse[] = keys.map((key) => ({
      requests: this.read(`${key}:rpm:${windowStartMs}`, nowMs),
      tokens: this.read(`${key}:tpm:${windowStartMs}`, nowMs),
      inFlight: this.slots(key, nowMs).size,
    }));
    for (const [index, limits] of request.limits.entries()) {
      const { requests, tokens: used, inFlight } = use[index]!;
      const refused: LimitKind | undefined =
        limits.rpm !== undefined && requests + 1 > limits.rpm
          ? 'rpm'
          : limits.tpm !== undefined && used + tokens > limits.tpm
            ? 'tpm'
            : limits.maxConcurrent !== undefined && inFlight + 1 > limits.maxConcurrent
              ? 'maxConcurrent'
              : undefined;
      if (refused) return Promise.resolve({ admitted: false, windowStartMs, use, scope: index, limit: refused });
    }
    for (const [index, key] of keys.entries()) {
      this.add(`${key}:rpm:${windowStartMs}`, 1, expiresAtMs);
      this.add(`${key}:tpm:${windowStartMs}`, tokens, expiresAtMs);
      const scopeUse = use[index]!;
      scopeUse.requests += 1;
      scopeUse.tokens += tokens;
      if (request.limits[index]!.maxConcurrent !== undefined) {
        this.slots(key, nowMs).set(request.callId, request.leaseUntilMs);
        scopeUse.inFlight += 1;
      }
    }
    return Promise.resolve({ admitted: true, windowStartMs, use });
  }

  end(request: EndRequest): Promise<void> {
    for (const limits of request.limits) {
      const key = scopeKey(request.orgId, limits.scope, limits.scopeId);
      const tokens = this.counters.get(`${key}:tpm:${request.windowStartMs}`);
      if (tokens) tokens.value += request.tokenDelta;
      this.inFlight.get(key)?.delete(request.callId);
    }
    return Promise.resolve();
  }

  failedAuths(address: string, nowMs: number, windowMs: number): Promise<number> {
    this.sweep(nowMs);
    return Promise.resolve(this.read(`auth:${address}:${nowMs - (nowMs % windowMs)}`, nowMs));
  }

  recordFailedAuth(address: string, nowMs: number, windowMs: number): Promise<void> {
    const start = nowMs - (nowMs % windowMs);
    this.add(`auth:${address}:${start}`, 1, start + windowMs);
    return Promise.resolve();
  }

  private read(key: string, nowMs: number): number {
    const counter = this.counters.get(key);
    return counter && counter.expiresAtMs > nowMs ? counter.value : 0;
  }

  private add(key: string, amount: number, expiresAtMs: number): void {
    const counter = this.counters.get(key);
    if (counter) counter.value += amount;
    else this.counters.set(key, { value: amount, expiresAtMs });
  }

  /** A scope's calls in flight, their expired leases dropped. */
  private slots(key: string, nowMs: number): Map<string, number> {
    let slots = this.inFlight.get(key);
    if (!slots) this.inFlight.set(key, (slots = new Map()));
    for (const [callId, until] of slots) if (until <= nowMs) slots.delete(callId);
    return slots;
  }

  /** Once a window, expired counters and empty slot sets are dropped, so memory follows the live scopes. */
  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweepMs) return;
    this.nextSweepMs = nowMs + WINDOW_MS;
    for (const [key, counter] of this.counters) if (counter.expiresAtMs <= nowMs) this.counters.delete(key);
    for (const [key, slots] of this.inFlight) if (slots.size === 0) this.inFlight.delete(key);
  }
}
