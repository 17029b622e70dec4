import type { Redis } from 'ioredis';

import type {
  AccountBalance,
  ApplyOutcome,
  BalanceStore,
  LedgerEffect,
  ReserveInStore,
  ReserveOutcome,
} from './balance.store';
import { APPLIED_MARKER_TTL_SECONDS } from './balance.store';
import { EXPIRY_INDEX, accountKeys, expiryMember, parseExpiryMember } from './redis-keys';
import { defineBillingScripts } from './redis-scripts';

const APPLY_OUTCOMES: ReadonlySet<string> = new Set<ApplyOutcome>(['applied', 'duplicate', 'reflected', 'unknown']);

/** The distributed store: every check-and-change is one Lua script, atomic across all replicas. */
export class RedisBalanceStore implements BalanceStore {
  constructor(private readonly redis: Redis) {
    defineBillingScripts(redis);
  }

  async reserve(request: ReserveInStore): Promise<ReserveOutcome> {
    const keys = accountKeys(request.accountId);
    const [status, first, second] = await this.redis.billingReserve(
      keys.account,
      keys.holds,
      EXPIRY_INDEX,
      keys.applied(request.settlementKey),
      request.reservationId,
      request.amount.toString(),
      expiryMember(request.accountId, request.reservationId),
      String(request.expiresAtMs),
    );
    if (status === 'held') return { status, amount: BigInt(first) };
    if (status === 'settled') return { status };
    if (status === 'insufficient') return { status, available: BigInt(first) - BigInt(second) };
    throw new Error(`unexpected reserve script answer ${status}`);
  }

  async release(accountId: string, reservationId: string): Promise<boolean> {
    const keys = accountKeys(accountId);
    const member = expiryMember(accountId, reservationId);
    return (await this.redis.billingRelease(keys.account, keys.holds, EXPIRY_INDEX, reservationId, member)) === 1;
  }

  async apply(effect: LedgerEffect): Promise<ApplyOutcome> {
    const keys = accountKeys(effect.accountId);
    const reservationId = effect.reservationId ?? '';
    const outcome = await this.redis.billingApply(
      keys.account,
      keys.holds,
      EXPIRY_INDEX,
      keys.applied(effect.key),
      effect.delta.toString(),
      reservationId,
      expiryMember(effect.accountId, reservationId),
      String(effect.createdAtMs),
      String(APPLIED_MARKER_TTL_SECONDS),
    );
    if (!APPLY_OUTCOMES.has(outcome)) throw new Error(`unexpected apply script answer ${outcome}`);
    return outcome as ApplyOutcome;
  }

  async hydrate(accountId: string, balance: bigint, asOfMs: number): Promise<boolean> {
    return (await this.redis.billingHydrate(accountKeys(accountId).account, balance.toString(), String(asOfMs))) === 1;
  }

  async balance(accountId: string): Promise<AccountBalance> {
    const [balance, reserved] = await this.redis.hmget(accountKeys(accountId).account, 'balance', 'reserved');
    return { balance: BigInt(balance ?? '0'), reserved: BigInt(reserved ?? '0') };
  }

  async releaseExpired(nowMs: number, limit: number): Promise<number> {
    const members = await this.redis.zrangebyscore(EXPIRY_INDEX, '-inf', nowMs, 'LIMIT', 0, limit);
    const released = await Promise.all(
      members.map(async (member) => {
        const hold = parseExpiryMember(member);
        if (!hold) return this.redis.zrem(EXPIRY_INDEX, member).then(() => 0);
        const keys = accountKeys(hold.accountId);
        return this.redis.billingExpire(
          keys.account,
          keys.holds,
          EXPIRY_INDEX,
          hold.reservationId,
          member,
          String(nowMs),
        );
      }),
    );
    return released.reduce((sum, count) => sum + count, 0);
  }
}
