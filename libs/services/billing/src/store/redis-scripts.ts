import type { Redis, Result } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    billingReserve(
      account: string,
      holds: string,
      expiries: string,
      settled: string,
      reservationId: string,
      amount: string,
      member: string,
      expiresAtMs: string,
    ): Result<string[], Context>;
    billingRelease(
      account: string,
      holds: string,
      expiries: string,
      reservationId: string,
      member: string,
    ): Result<number, Context>;
    billingExpire(
      account: string,
      holds: string,
      expiries: string,
      reservationId: string,
      member: string,
      nowMs: string,
    ): Result<number, Context>;
    billingApply(
      account: string,
      holds: string,
      expiries: string,
      marker: string,
      delta: string,
      reservationId: string,
      member: string,
      createdAtMs: string,
      markerTtlSeconds: string,
    ): Result<string, Context>;
    billingHydrate(account: string, balance: string, asOfMs: string): Result<number, Context>;
  }
}

/**
 * Money stays exact: Redis does the int64 arithmetic (HINCRBY) and the scripts only compare the
 * decimal strings it stores, never converting them to Lua's floating-point numbers.
 */
const HELPERS = `
local function neg(s)
  if s == '0' then return '0' end
  if string.sub(s, 1, 1) == '-' then return string.sub(s, 2) end
  return '-' .. s
end
local function cmp(a, b)
  local na, nb = string.sub(a, 1, 1) == '-', string.sub(b, 1, 1) == '-'
  if na ~= nb then return na and -1 or 1 end
  if na then a, b = string.sub(b, 2), string.sub(a, 2) end
  if #a ~= #b then return #a < #b and -1 or 1 end
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end
local function release(account, holds, expiries, id, member)
  local held = redis.call('HGET', holds, id)
  if not held then return false end
  redis.call('HDEL', holds, id)
  redis.call('ZREM', expiries, member)
  redis.call('HINCRBY', account, 'reserved', neg(held))
  return true
end
`;

/** KEYS account, holds, expiries, settled marker; ARGV reservation id, amount, expiry member, expires at. */
const RESERVE = `${HELPERS}
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then return {'held', held} end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'settled'} end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'insufficient', '0', '0'} end
redis.call('HINCRBY', KEYS[1], 'reserved', ARGV[2])
local reserved = redis.call('HGET', KEYS[1], 'reserved')
local balance = redis.call('HGET', KEYS[1], 'balance') or '0'
if cmp(balance, reserved) < 0 then
  redis.call('HINCRBY', KEYS[1], 'reserved', neg(ARGV[2]))
  return {'insufficient', balance, redis.call('HGET', KEYS[1], 'reserved')}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
return {'held', ARGV[2]}
`;

/** KEYS account, holds, expiries; ARGV reservation id, expiry member. */
const RELEASE = `${HELPERS}
return release(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2]) and 1 or 0
`;

/** KEYS account, holds, expiries; ARGV reservation id, expiry member, now. */
const EXPIRE = `${HELPERS}
local due = redis.call('ZSCORE', KEYS[3], ARGV[2])
if not due or tonumber(due) > tonumber(ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[3], ARGV[2])
return release(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2]) and 1 or 0
`;

/** KEYS account, holds, expiries, applied marker; ARGV delta, reservation id or '', member, created at, marker TTL. */
const APPLY = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
if ARGV[2] ~= '' then release(KEYS[1], KEYS[2], KEYS[3], ARGV[2], ARGV[3]) end
if redis.call('EXISTS', KEYS[4]) == 1 then return 'duplicate' end
redis.call('SET', KEYS[4], '1', 'EX', ARGV[5])
local hydrated = redis.call('HGET', KEYS[1], 'hydrated_at')
if hydrated and tonumber(ARGV[4]) <= tonumber(hydrated) then return 'reflected' end
redis.call('HINCRBY', KEYS[1], 'balance', ARGV[1])
return 'applied'
`;

/** KEYS account; ARGV balance, as of. Sets an account only if Redis does not know it (SETNX). */
const HYDRATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'reserved', '0', 'hydrated_at', ARGV[2])
return 1
`;

/** Registers billing's scripts; ioredis runs them with EVALSHA, loading them on NOSCRIPT. */
export const defineBillingScripts = (redis: Redis): void => {
  redis.defineCommand('billingReserve', { numberOfKeys: 4, lua: RESERVE });
  redis.defineCommand('billingRelease', { numberOfKeys: 3, lua: RELEASE });
  redis.defineCommand('billingExpire', { numberOfKeys: 3, lua: EXPIRE });
  redis.defineCommand('billingApply', { numberOfKeys: 4, lua: APPLY });
  redis.defineCommand('billingHydrate', { numberOfKeys: 1, lua: HYDRATE });
};
