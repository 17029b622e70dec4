import type { Redis } from 'ioredis';

import type {
  AccountBalance,
  ApplyOutcome,
  BalanceStore,
  LedgerEffect,
  LedgerSnapshot,
  ReserveInStore,
  ReserveOutcome,
} from './balance.store';
import { APPLIED_MARKER_TTL_SECONDS, floorOf } from './balance.store';
import { releaseDueHolds } from './expiry-index';
import { HOLD_ACCOUNTS_INDEX, accountKeys } from './redis-keys';
import { defineBillingScripts } from './redis-scripts';

const APPLY_OUTCOMES: ReadonlySet<string> = new Set<ApplyOutcome>(['applied', 'duplicate', 'reflected', 'unknown']);

/** The distributed store: every check-and-change is one Lua script on one account's keys, atomic across replicas. */
export class RedisBalanceStore implements BalanceStore {
  constructor(private readonly redis: Redis) {
    defineBillingScripts(redis);
  }

  async reserve(request: ReserveInStore): Promise<ReserveOutcome> {
    const keys = accountKeys(request.accountId);
    const floor = floorOf(request);
    // Sent together on one connection: the index update runs right after the script, and a refused
    // reservation leaves at most a stale index entry, which the sweeper drops.
    const [[status, first, second]] = await Promise.all([
      this.redis.billingReserve(
        keys.account,
        keys.holds,
        keys.expiries,
        keys.applied(request.settlementKey),
        request.reservationId,
        request.amount.toString(),
        String(request.expiresAtMs),
        floor.toString(),
      ),
      this.redis.zadd(HOLD_ACCOUNTS_INDEX, 'LT', request.expiresAtMs, request.accountId),
    ]);
    if (status === 'held') return { status, amount: BigInt(first) };
    if (status === 'settled' || status === 'unknown') return { status };
    if (status === 'insufficient') return { status, available: BigInt(first) - BigInt(second) - floor };
    throw new Error(`unexpected reserve script answer ${status}`);
  }

  async held(accountId: string, reservationId: string): Promise<bigint | null> {
    const amount = await this.redis.hget(accountKeys(accountId).holds, reservationId);
    return amount === null ? null : BigInt(amount);
  }

  async release(accountId: string, reservationId: string): Promise<boolean> {
    const keys = accountKeys(accountId);
    return (await this.redis.billingRelease(keys.account, keys.holds, keys.expiries, reservationId)) === 1;
  }

  async apply(effect: LedgerEffect): Promise<ApplyOutcome> {
    const keys = accountKeys(effect.accountId);
    const outcome = await this.redis.billingApply(
      keys.account,
      keys.holds,
      keys.expiries,
      keys.applied(effect.key),
      effect.delta.toString(),
      effect.reservationId ?? '',
      effect.xid.toString(),
      String(APPLIED_MARKER_TTL_SECONDS),
    );
    if (!APPLY_OUTCOMES.has(outcome)) throw new Error(`unexpected apply script answer ${outcome}`);
    return outcome as ApplyOutcome;
  }

  async hydrate(accountId: string, balance: bigint, snapshot: LedgerSnapshot): Promise<boolean> {
    const inProgress = `,${snapshot.inProgress.join(',')},`;
    const set = await this.redis.billingHydrate(
      accountKeys(accountId).account,
      balance.toString(),
      snapshot.xmin.toString(),
      snapshot.xmax.toString(),
      inProgress,
    );
    return set === 1;
  }

  async balance(accountId: string): Promise<AccountBalance> {
    const [balance, reserved] = await this.redis.hmget(accountKeys(accountId).account, 'balance', 'reserved');
    return { balance: BigInt(balance ?? '0'), reserved: BigInt(reserved ?? '0') };
  }

  releaseExpired(upToMs: number, limit: number): Promise<number> {
    return releaseDueHolds(this.redis, HOLD_ACCOUNTS_INDEX, upToMs, limit, {
      expire: (accountId) => {
        const keys = accountKeys(accountId);
        return this.redis.billingExpire(keys.account, keys.holds, keys.expiries, String(upToMs), String(limit));
      },
      expiriesKey: (accountId) => accountKeys(accountId).expiries,
    });
  }
}
