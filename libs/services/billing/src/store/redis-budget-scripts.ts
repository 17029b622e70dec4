import type { Redis, Result } from 'ioredis';

import { LUA_MONEY } from './redis-scripts';

/** Keys first (`numberOfKeys` of each script in `BUDGET_SCRIPTS`), then the arguments, all strings. */
declare module 'ioredis' {
  interface RedisCommander<Context> {
    budgetHold(...keysAndArgs: string[]): Result<string[], Context>;
    budgetRelease(...keysAndArgs: string[]): Result<number, Context>;
    budgetSettle(...keysAndArgs: string[]): Result<string[], Context>;
    budgetHydrate(...keysAndArgs: string[]): Result<number, Context>;
    budgetRaise(...keysAndArgs: string[]): Result<string, Context>;
    budgetState(...keysAndArgs: string[]): Result<string[], Context>;
    budgetAlerted(...keysAndArgs: string[]): Result<number, Context>;
    budgetExpire(...keysAndArgs: string[]): Result<[number, string], Context>;
  }
}

/**
 * One org's budgets live in one hash (`state`): `rev`, the hydration snapshot (`snap_*`), and per
 * budget `<id>:p` (period start, epoch ms), `:s` (spent in it), `:h` (held), `:u` (spent + held,
 * what a hard limit is checked against) and `:a` (highest threshold alerted in the period). Money
 * is Redis's int64 arithmetic on decimal strings, as for balances; period starts are compared as
 * Lua numbers, exact for epoch milliseconds. Every key carries the org's hash tag.
 */
const HELPERS = `${LUA_MONEY}
local function current(state, rev)
  local stored = tonumber(redis.call('HGET', state, 'rev') or '0')
  local wanted = tonumber(rev)
  if wanted < stored then return false end
  if wanted > stored then redis.call('HSET', state, 'rev', rev) end
  return true
end
local function roll(state, id, p)
  local cur = redis.call('HGET', state, id .. ':p')
  if cur and tonumber(cur) >= tonumber(p) then return end
  local held = redis.call('HGET', state, id .. ':h') or '0'
  redis.call('HSET', state, id .. ':p', p, id .. ':s', '0', id .. ':u', held, id .. ':a', '0')
end
local function release(state, holds, expiries, rid)
  local hold = redis.call('HGET', holds, rid)
  if not hold then return false end
  local bar = string.find(hold, '|', 1, true)
  local amount = neg(string.sub(hold, 1, bar - 1))
  for id in string.gmatch(string.sub(hold, bar + 1), '[^,]+') do
    redis.call('HINCRBY', state, id .. ':h', amount)
    redis.call('HINCRBY', state, id .. ':u', amount)
  end
  redis.call('HDEL', holds, rid)
  redis.call('ZREM', expiries, rid)
  return true
end
`;

/** Each budget's period spend after `roll`, for ARGV entries from \`first\` in steps of \`step\`. */
const SPENT = `
local function spent(first, step)
  local out = {'held'}
  for i = first, #ARGV, step do out[#out + 1] = redis.call('HGET', KEYS[1], ARGV[i] .. ':s') or '0' end
  return out
end
`;

/**
 * KEYS state, holds, expiries, settled marker; ARGV reservation id, amount, expires at, revision,
 * then per budget: id, period start, hard limit or ''. All budgets or none.
 */
const HOLD = `${HELPERS}${SPENT}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  for i = 5, #ARGV, 3 do roll(KEYS[1], ARGV[i], ARGV[i + 1]) end
  return spent(5, 3)
end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'settled'} end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown'} end
if not current(KEYS[1], ARGV[4]) then return {'stale'} end
if #ARGV < 5 then return {'held'} end
for i = 5, #ARGV, 3 do
  roll(KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('HINCRBY', KEYS[1], ARGV[i] .. ':u', ARGV[2])
end
for i = 5, #ARGV, 3 do
  local limit = ARGV[i + 2]
  if limit ~= '' and cmp(redis.call('HGET', KEYS[1], ARGV[i] .. ':u'), limit) > 0 then
    for j = 5, #ARGV, 3 do redis.call('HINCRBY', KEYS[1], ARGV[j] .. ':u', neg(ARGV[2])) end
    return {'exceeded', ARGV[i], redis.call('HGET', KEYS[1], ARGV[i] .. ':u'), limit}
  end
end
local ids = {}
for i = 5, #ARGV, 3 do
  redis.call('HINCRBY', KEYS[1], ARGV[i] .. ':h', ARGV[2])
  ids[#ids + 1] = ARGV[i]
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '|' .. table.concat(ids, ','))
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return spent(5, 3)
`;

/** KEYS state, holds, expiries; ARGV reservation id. */
const RELEASE = `${HELPERS}
return release(KEYS[1], KEYS[2], KEYS[3], ARGV[1]) and 1 or 0
`;

/**
 * KEYS state, holds, expiries, applied marker; ARGV reservation id, cost, transaction id, marker
 * TTL, revision, then per budget: id, period start. Answers the status, then per budget p, s, h, a.
 */
const SETTLE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown'} end
if not current(KEYS[1], ARGV[5]) then return {'stale'} end
release(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
for i = 6, #ARGV, 2 do roll(KEYS[1], ARGV[i], ARGV[i + 1]) end
local status = 'duplicate'
if redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('SET', KEYS[4], '1', 'EX', ARGV[4])
  status = 'applied'
  local snap = redis.call('HMGET', KEYS[1], 'snap_xmin', 'snap_xmax', 'snap_xip')
  local xid = ARGV[3]
  if snap[1] and (cmp(xid, snap[1]) < 0 or (cmp(xid, snap[2]) < 0 and not string.find(snap[3], ',' .. xid .. ',', 1, true))) then
    status = 'reflected'
  end
  if status == 'applied' then
    for i = 6, #ARGV, 2 do
      redis.call('HINCRBY', KEYS[1], ARGV[i] .. ':s', ARGV[2])
      redis.call('HINCRBY', KEYS[1], ARGV[i] .. ':u', ARGV[2])
    end
  end
end
local out = {status}
for i = 6, #ARGV, 2 do
  local c = redis.call('HMGET', KEYS[1], ARGV[i] .. ':p', ARGV[i] .. ':s', ARGV[i] .. ':h', ARGV[i] .. ':a')
  out[#out + 1] = c[1]
  out[#out + 1] = c[2] or '0'
  out[#out + 1] = c[3] or '0'
  out[#out + 1] = c[4] or '0'
end
return out
`;

/** KEYS state; ARGV revision, snapshot xmin, xmax, in-progress ids (',a,b,'), then per budget: id, period start, spent, alerted. */
const HYDRATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[1], 'snap_xmin', ARGV[2], 'snap_xmax', ARGV[3], 'snap_xip', ARGV[4])
for i = 5, #ARGV, 4 do
  local id = ARGV[i]
  redis.call('HSET', KEYS[1], id .. ':p', ARGV[i + 1], id .. ':s', ARGV[i + 2], id .. ':h', '0', id .. ':u', ARGV[i + 2], id .. ':a', ARGV[i + 3])
end
return 1
`;

/** KEYS state; ARGV revision. Only for an org the store knows. */
const RAISE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
current(KEYS[1], ARGV[1])
return 'raised'
`;

/** KEYS state; ARGV per budget: id. Answers whether the org is known, then per budget p, s, h, a. */
const STATE = `
local out = {tostring(redis.call('EXISTS', KEYS[1]))}
for i = 1, #ARGV do
  local c = redis.call('HMGET', KEYS[1], ARGV[i] .. ':p', ARGV[i] .. ':s', ARGV[i] .. ':h', ARGV[i] .. ':a')
  out[#out + 1] = c[1] or ''
  out[#out + 1] = c[2] or '0'
  out[#out + 1] = c[3] or '0'
  out[#out + 1] = c[4] or '0'
end
return out
`;

/** KEYS state; ARGV budget id, period start, percent: raised only within that period. */
const ALERTED = `
local p = redis.call('HGET', KEYS[1], ARGV[1] .. ':p')
if p ~= ARGV[2] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], ARGV[1] .. ':a') or '0') >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1] .. ':a', ARGV[3])
return 1
`;

/** KEYS state, holds, expiries; ARGV up to (ms), limit. Answers {freed, earliest expiry left or ''}. */
const EXPIRE = `${HELPERS}
local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local freed = 0
for _, id in ipairs(due) do
  if release(KEYS[1], KEYS[2], KEYS[3], id) then freed = freed + 1 else redis.call('ZREM', KEYS[3], id) end
end
local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
return {freed, first[2] or ''}
`;

export const BUDGET_SCRIPTS = {
  budgetHold: { numberOfKeys: 4, lua: HOLD },
  budgetRelease: { numberOfKeys: 3, lua: RELEASE },
  budgetSettle: { numberOfKeys: 4, lua: SETTLE },
  budgetHydrate: { numberOfKeys: 1, lua: HYDRATE },
  budgetRaise: { numberOfKeys: 1, lua: RAISE },
  budgetState: { numberOfKeys: 1, lua: STATE },
  budgetAlerted: { numberOfKeys: 1, lua: ALERTED },
  budgetExpire: { numberOfKeys: 3, lua: EXPIRE },
} as const;

/** Registers the budget scripts; ioredis runs them with EVALSHA, loading them on NOSCRIPT. */
export const defineBudgetScripts = (redis: Redis): void => {
  for (const [name, script] of Object.entries(BUDGET_SCRIPTS)) redis.defineCommand(name, script);
};
