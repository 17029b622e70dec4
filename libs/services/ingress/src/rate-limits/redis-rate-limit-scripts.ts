import type { Redis, Result } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rateLimitAdmit(...keysAndArgs: string[]): Result<number[], Context>;
    rateLimitEnd(...keysAndArgs: string[]): Result<number, Context>;
    rateLimitFailedAuth(key: string, expireAtMs: string): Result<number, Context>;
  }
}

/**
 * Admission over every scope of a call, atomically. KEYS: per scope its requests counter, tokens
 * counter (both of the current window) and in-flight sorted set (call id scored by lease end).
 * ARGV: now, the window's end, call id, token bound, lease end, then per scope its rpm, tpm and
 * max concurrent limits ('' for none). Answers `{refused, scope, requests₁, tokens₁, inFlight₁, …}`:
 * refused 0 (admitted, counts after the call), 1 rpm, 2 tpm, 3 concurrency (counts before it).
 */
const ADMIT = `
local now, wend, call, tokens, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local n = #KEYS / 3
local out = {0, 0}
for i = 1, n do
  local r = tonumber(redis.call('GET', KEYS[i * 3 - 2]) or '0')
  local t = tonumber(redis.call('GET', KEYS[i * 3 - 1]) or '0')
  redis.call('ZREMRANGEBYSCORE', KEYS[i * 3], '-inf', now)
  local c = redis.call('ZCARD', KEYS[i * 3])
  out[i * 3], out[i * 3 + 1], out[i * 3 + 2] = r, t, c
  if out[1] == 0 then
    local rpm, tpm, conc = tonumber(ARGV[i * 3 + 3]), tonumber(ARGV[i * 3 + 4]), tonumber(ARGV[i * 3 + 5])
    if rpm and r + 1 > rpm then out[1], out[2] = 1, i - 1
    elseif tpm and t + tokens > tpm then out[1], out[2] = 2, i - 1
    elseif conc and c + 1 > conc then out[1], out[2] = 3, i - 1 end
  end
end
if out[1] ~= 0 then return out end
for i = 1, n do
  out[i * 3] = redis.call('INCR', KEYS[i * 3 - 2])
  redis.call('PEXPIREAT', KEYS[i * 3 - 2], wend)
  out[i * 3 + 1] = redis.call('INCRBY', KEYS[i * 3 - 1], tokens)
  redis.call('PEXPIREAT', KEYS[i * 3 - 1], wend)
  if tonumber(ARGV[i * 3 + 5]) then
    redis.call('ZADD', KEYS[i * 3], lease, call)
    redis.call('PEXPIREAT', KEYS[i * 3], lease)
    out[i * 3 + 2] = out[i * 3 + 2] + 1
  end
end
return out
`;

/**
 * The end of a call. KEYS: per scope its tokens counter of the admission's window and its in-flight
 * set. ARGV: token delta, call id. A window already gone is not recreated (its counter expired).
 */
const END = `
for i = 1, #KEYS / 2 do
  if redis.call('EXISTS', KEYS[i * 2 - 1]) == 1 then redis.call('INCRBY', KEYS[i * 2 - 1], ARGV[1]) end
  redis.call('ZREM', KEYS[i * 2], ARGV[2])
end
return 1
`;

/** A failed key check counted in its window's counter, which expires with the window. */
const FAILED_AUTH = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return count
`;

export const defineRateLimitScripts = (redis: Redis): void => {
  redis.defineCommand('rateLimitAdmit', { lua: ADMIT });
  redis.defineCommand('rateLimitEnd', { lua: END });
  redis.defineCommand('rateLimitFailedAuth', { lua: FAILED_AUTH, numberOfKeys: 1 });
};
