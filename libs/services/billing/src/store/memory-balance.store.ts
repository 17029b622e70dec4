import type {
  AccountBalance,
  ApplyOutcome,
  BalanceStore,
  LedgerEffect,
  LedgerSnapshot,
  ReserveInStore,
  ReserveOutcome,
} from './balance.store';
import { APPLIED_MARKER_TTL_SECONDS, floorOf, snapshotCounts } from './balance.store';

interface Account {
  balance: bigint;
  reserved: bigint;
  /** The ledger snapshot it was hydrated from. */
  snapshot: LedgerSnapshot;
  holds: Map<string, { amount: bigint; expiresAtMs: number }>;
}

/**
 * The embedded mode's store: the Redis store's semantics in process memory. No method awaits
 * anything before it answers, so each runs to completion alone, as a Redis script does.
 */
export class MemoryBalanceStore implements BalanceStore {
  private readonly accounts = new Map<string, Account>();
  /** Applied markers: `<account>\0<key>` → expiry. */
  private readonly applied = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(request: ReserveInStore): Promise<ReserveOutcome> {
    const account = this.accounts.get(request.accountId);
    const hold = account?.holds.get(request.reservationId);
    if (hold) return { status: 'held', amount: hold.amount };
    if (this.isApplied(request.accountId, request.settlementKey)) return { status: 'settled' };
    const floor = floorOf(request);
    if (!account) return floor < 0n ? { status: 'unknown' } : { status: 'insufficient', available: 0n };
    const available = account.balance - account.reserved - floor;
    if (available < request.amount) return { status: 'insufficient', available };
    account.reserved += request.amount;
    account.holds.set(request.reservationId, { amount: request.amount, expiresAtMs: request.expiresAtMs });
    return { status: 'held', amount: request.amount };
  }

  async held(accountId: string, reservationId: string): Promise<bigint | null> {
    return this.accounts.get(accountId)?.holds.get(reservationId)?.amount ?? null;
  }

  async release(accountId: string, reservationId: string): Promise<boolean> {
    return this.releaseHold(accountId, reservationId);
  }

  async apply(effect: LedgerEffect): Promise<ApplyOutcome> {
    const account = this.accounts.get(effect.accountId);
    if (!account) return 'unknown';
    if (effect.reservationId !== undefined) this.releaseHold(effect.accountId, effect.reservationId);
    if (this.isApplied(effect.accountId, effect.key)) return 'duplicate';
    this.applied.set(this.markerOf(effect.accountId, effect.key), this.now() + APPLIED_MARKER_TTL_SECONDS * 1000);
    if (snapshotCounts(account.snapshot, effect.xid)) return 'reflected';
    account.balance += effect.delta;
    return 'applied';
  }

  async hydrate(accountId: string, balance: bigint, snapshot: LedgerSnapshot): Promise<boolean> {
    if (this.accounts.has(accountId)) return false;
    this.accounts.set(accountId, { balance, reserved: 0n, snapshot, holds: new Map() });
    return true;
  }

  async balance(accountId: string): Promise<AccountBalance> {
    const account = this.accounts.get(accountId);
    return { balance: account?.balance ?? 0n, reserved: account?.reserved ?? 0n };
  }

  async releaseExpired(upToMs: number, limit: number): Promise<number> {
    let released = 0;
    for (const [accountId, account] of this.accounts) {
      for (const [reservationId, hold] of account.holds) {
        if (released >= limit) return released;
        if (hold.expiresAtMs <= upToMs && this.releaseHold(accountId, reservationId)) released += 1;
      }
    }
    const now = this.now();
    for (const [marker, expiresAtMs] of this.applied) if (expiresAtMs <= now) this.applied.delete(marker);
    return released;
  }

  private releaseHold(accountId: string, reservationId: string): boolean {
    const account = this.accounts.get(accountId);
    const hold = account?.holds.get(reservationId);
    if (!account || !hold) return false;
    account.holds.delete(reservationId);
    account.reserved -= hold.amount;
    return true;
  }

  private isApplied(accountId: string, key: string): boolean {
    return (this.applied.get(this.markerOf(accountId, key)) ?? 0) > this.now();
  }

  private markerOf(accountId: string, key: string): string {
    return `${accountId}\u0000${key}`;
  }
}
