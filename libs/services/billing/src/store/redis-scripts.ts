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
      expiresAtMs: string,
      floor: string,
    ): Result<string[], Context>;
    billingRelease(account: string, holds: string, expiries: string, reservationId: string): Result<number, Context>;
    billingExpire(
      account: string,
      holds: string,
      expiries: string,
      upToMs: string,
      limit: string,
    ): Result<[number, string], Context>;
    billingApply(
      account: string,
      holds: string,
      expiries: string,
      marker: string,
      delta: string,
      reservationId: string,
      xid: string,
      markerTtlSeconds: string,
    ): Result<string, Context>;
    billingHydrate(
      account: string,
      balance: string,
      xmin: string,
      xmax: string,
      inProgress: string,
    ): Result<number, Context>;
  }
}

/**
 * Money stays exact: Redis does the int64 arithmetic (HINCRBY) and the scripts only compare the
 * decimal strings it stores, never converting them to Lua's floating-point numbers. Each script's
 * keys are one account's (one hash tag), so each runs on one Redis Cluster slot.
 */
export const LUA_MONEY = `
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
`;

const HELPERS = `${LUA_MONEY}
local function release(account, holds, expiries, id)
  local held = redis.call('HGET', holds, id)
  if not held then return false end
  redis.call('HDEL', holds, id)
  redis.call('ZREM', expiries, id)
  redis.call('HINCRBY', account, 'reserved', neg(held))
  return true
end
`;

/**
 * KEYS account, holds, expiries, settled marker; ARGV reservation id, amount, expires at, floor
 * (0 or negative). Holds while balance >= reserved + floor; the sum is Redis's exact HINCRBY in a
 * scratch field of the account's hash, read back as a string.
 */
const RESERVE = `${HELPERS}
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then return {'held', held} end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'settled'} end
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[4] == '0' then return {'insufficient', '0', '0'} end
  return {'unknown'}
end
redis.call('HINCRBY', KEYS[1], 'reserved', ARGV[2])
local reserved = redis.call('HGET', KEYS[1], 'reserved')
local balance = redis.call('HGET', KEYS[1], 'balance') or '0'
local bound = reserved
if ARGV[4] ~= '0' then
  redis.call('HSET', KEYS[1], 'bound', reserved)
  redis.call('HINCRBY', KEYS[1], 'bound', ARGV[4])
  bound = redis.call('HGET', KEYS[1], 'bound')
  redis.call('HDEL', KEYS[1], 'bound')
end
if cmp(balance, bound) < 0 then
  redis.call('HINCRBY', KEYS[1], 'reserved', neg(ARGV[2]))
  return {'insufficient', balance, redis.call('HGET', KEYS[1], 'reserved')}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return {'held', ARGV[2]}
`;

/** KEYS account, holds, expiries; ARGV reservation id. */
const RELEASE = `${HELPERS}
return release(KEYS[1], KEYS[2], KEYS[3], ARGV[1]) and 1 or 0
`;

/** KEYS account, holds, expiries; ARGV up to (ms), limit. Answers {freed, earliest expiry left or ''}. */
const EXPIRE = `${HELPERS}
local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local freed = 0
for _, id in ipairs(due) do
  if release(KEYS[1], KEYS[2], KEYS[3], id) then freed = freed + 1 else redis.call('ZREM', KEYS[3], id) end
end
local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
return {freed, first[2] or ''}
`;

/**
 * KEYS account, holds, expiries, applied marker; ARGV delta, reservation id or '', transaction id,
 * marker TTL. Reflected: the account's hydration snapshot counted the transaction (see \`LedgerSnapshot\`).
 */
const APPLY = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
if ARGV[2] ~= '' then release(KEYS[1], KEYS[2], KEYS[3], ARGV[2]) end
if redis.call('EXISTS', KEYS[4]) == 1 then return 'duplicate' end
redis.call('SET', KEYS[4], '1', 'EX', ARGV[4])
local snap = redis.call('HMGET', KEYS[1], 'snap_xmin', 'snap_xmax', 'snap_xip')
if snap[1] then
  local xid = ARGV[3]
  if cmp(xid, snap[1]) < 0 then return 'reflected' end
  if cmp(xid, snap[2]) < 0 and not string.find(snap[3], ',' .. xid .. ',', 1, true) then return 'reflected' end
end
redis.call('HINCRBY', KEYS[1], 'balance', ARGV[1])
return 'applied'
`;

/** KEYS account; ARGV balance, snapshot xmin, xmax, in-progress ids (',a,b,'). Only if Redis does not know it. */
const HYDRATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'reserved', '0', 'snap_xmin', ARGV[2], 'snap_xmax', ARGV[3], 'snap_xip', ARGV[4])
return 1
`;

/** Every script with its key count: what `defineBillingScripts` registers. */
export const BILLING_SCRIPTS = {
  billingReserve: { numberOfKeys: 4, lua: RESERVE },
  billingRelease: { numberOfKeys: 3, lua: RELEASE },
  billingExpire: { numberOfKeys: 3, lua: EXPIRE },
  billingApply: { numberOfKeys: 4, lua: APPLY },
  billingHydrate: { numberOfKeys: 1, lua: HYDRATE },
} as const;

/** Registers billing's scripts; ioredis runs them with EVALSHA, loading them on NOSCRIPT. */
export const defineBillingScripts = (redis: Redis): void => {
  for (const [name, script] of Object.entries(BILLING_SCRIPTS)) redis.defineCommand(name, script);
};
