/**
 * Balances and holds on the call path. Redis in the distributed mode, process memory in the
 * embedded one; both give the same answers. The ledger in Postgres stays the truth: the store is
 * hydrated from it and every ledger transaction is applied to the store exactly once.
 */
export interface BalanceStore {
  /**
   * Holds `amount` if balance − reserved − amount stays at or above the request's floor (0 unless
   * given); a reservation id already held answers its hold again.
   */
  reserve(request: ReserveInStore): Promise<ReserveOutcome>;
  /** What a reservation holds now; null when it holds nothing (never held, released, settled or expired). */
  held(accountId: string, reservationId: string): Promise<bigint | null>;
  /** Frees a hold; false when there was none. */
  release(accountId: string, reservationId: string): Promise<boolean>;
  /** Applies a ledger transaction once (marker per idempotency key) and frees the hold it settles. */
  apply(effect: LedgerEffect): Promise<ApplyOutcome>;
  /** Sets an account the store does not know from a ledger snapshot; false when it already knows it. */
  hydrate(accountId: string, balance: bigint, snapshot: LedgerSnapshot): Promise<boolean>;
  balance(accountId: string): Promise<AccountBalance>;
  /** Frees up to `limit` holds whose expiry is at or before `upToMs`; answers how many it freed. */
  releaseExpired(upToMs: number, limit: number): Promise<number>;
}

export const BALANCE_STORE = Symbol('polymux.billing.balance-store');

/**
 * How long the store remembers that a ledger transaction was applied. A redelivery arrives far
 * sooner; an older transaction met again is known to have been applied when it was recorded.
 */
export const APPLIED_MARKER_TTL_SECONDS = 24 * 3600;

/**
 * Which ledger transactions a balance read counted, as Postgres's MVCC snapshot of it
 * (`pg_current_snapshot()`): exact where a timestamp is not, since a transaction can start before
 * the read and commit after it.
 */
export interface LedgerSnapshot {
  /** Every transaction id below it had finished. */
  xmin: bigint;
  /** No transaction id from it on had started. */
  xmax: bigint;
  /** Transaction ids between `xmin` and `xmax` still in progress, so not counted. */
  inProgress: readonly bigint[];
}

/** Whether the read behind `snapshot` counted the ledger transaction `xid`. */
export const snapshotCounts = (snapshot: LedgerSnapshot, xid: bigint): boolean =>
  xid < snapshot.xmin || (xid < snapshot.xmax && !snapshot.inProgress.includes(xid));

export interface AccountBalance {
  /** Credits minus settled charges. */
  balance: bigint;
  /** Held by calls in flight. */
  reserved: bigint;
}

export interface ReserveInStore {
  accountId: string;
  reservationId: string;
  amount: bigint;
  expiresAtMs: number;
  /** Idempotency key of the charge that would settle this reservation: once applied, no new hold. */
  settlementKey: string;
  /**
   * The lowest balance the holds may take the account to: 0 (prepaid, the default) or minus an
   * invoiced plan's credit limit. Never above 0.
   */
  floor?: bigint;
}

/**
 * `available`: what could still be held (balance − reserved − floor). `unknown`: the store does not
 * know the account and the floor is below zero (hydrate it: its debt may already be near the floor);
 * with a floor of 0 an unknown account is `insufficient`, as it has nothing to spend.
 */
export type ReserveOutcome =
  | { status: 'held'; amount: bigint }
  | { status: 'insufficient'; available: bigint }
  | { status: 'settled' }
  | { status: 'unknown' };

/** The floor of a reservation, checked: a positive one would refuse what the account holds. */
export const floorOf = (request: ReserveInStore): bigint => {
  const floor = request.floor ?? 0n;
  if (floor > 0n) throw new Error(`a balance floor is never above 0, got ${floor}`);
  return floor;
};

export interface LedgerEffect {
  accountId: string;
  /** The transaction's ledger idempotency key. */
  key: string;
  /** Signed change of the account's balance. */
  delta: bigint;
  /** Postgres transaction id that committed it: a hydration snapshot that counted it already holds it. */
  xid: bigint;
  /** Hold freed by this transaction, for charges. */
  reservationId?: string;
}

/**
 * `applied`: balance changed; `duplicate`: already applied; `reflected`: the account was hydrated
 * from a ledger snapshot that already counted it; `unknown`: the store does not know the account (hydrate it).
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'reflected' | 'unknown';
