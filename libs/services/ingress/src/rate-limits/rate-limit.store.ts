import type { ScopedRateLimits } from '@polymux/contracts';

/**
 * Fixed 60 s windows, aligned to the clock's minutes (`windowStartOf`): a scope's requests and tokens
 * count in the window a call was admitted in, and its counters expire with the window. Concurrency
 * is a set of calls in flight, each with a lease that ends it if its replica never releases it.
 */
export const WINDOW_MS = 60_000;

export const windowStartOf = (nowMs: number): number => nowMs - (nowMs % WINDOW_MS);

/** What one call asks of its scopes' limits at admission. */
export interface AdmitRequest {
  /** Every scope of a call is its org's: the Redis keys share the org's hash tag. */
  orgId: string;
  /** The request id: the call's concurrency slot. */
  callId: string;
  /** The call's token bound, counted against every scope's TPM until the call ends. */
  tokens: number;
  nowMs: number;
  /** When the call's concurrency slot frees itself if the call is never ended. */
  leaseUntilMs: number;
  /** Scopes with at least one limit, broadest first. */
  limits: readonly ScopedRateLimits[];
}

/** A scope's use in the current window: after the call when admitted, before it when refused. */
export interface ScopeUse {
  requests: number;
  tokens: number;
  inFlight: number;
}

export type LimitKind = 'rpm' | 'tpm' | 'maxConcurrent';

export type Admission =
  | { admitted: true; windowStartMs: number; use: ScopeUse[] }
  | { admitted: false; windowStartMs: number; use: ScopeUse[]; scope: number; limit: LimitKind };

/** The end of an admitted call: its tokens corrected in the window it was admitted in, its slot released. */
export interface EndRequest {
  orgId: string;
  callId: string;
  windowStartMs: number;
  /** Actual tokens minus the bound counted at admission (the bound's negation for a failed call). */
  tokenDelta: number;
  limits: readonly ScopedRateLimits[];
}

/** Shared by ingress replicas (Redis) or in the embedded mode's memory; every admission is atomic over all scopes. */
export interface RateLimitStore {
  /** Checks every scope and, only when none refuses, counts the call in all of them. */
  admit(request: AdmitRequest): Promise<Admission>;
  end(request: EndRequest): Promise<void>;
  /** Failed key checks of a source address in the current window. */
  failedAuths(address: string, nowMs: number, windowMs: number): Promise<number>;
  recordFailedAuth(address: string, nowMs: number, windowMs: number): Promise<void>;
}

export const RATE_LIMIT_STORE = Symbol('polymux.ingress.rate-limit-store');
