import type { DeploymentOutcome } from '@polymux/contracts';
import type { Redis } from '@polymux/redis';

import type { HealthRecord, HealthRules } from './deployment-health';
import { EWMA_ALPHA, speedSample } from './deployment-health';
import type { HealthStore } from './health.store';
import { HEALTH_TTL_MS } from './health.store';

/** `applyOutcome` in Lua, on one deployment's hash: atomic however many replicas record at once. */
const RECORD = `
local now, outcome = tonumber(ARGV[1]), ARGV[2]
local latency, ttft, retryAfter = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local threshold, openMs, cooldownMs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local alpha, speed = tonumber(ARGV[10]), tonumber(ARGV[11])
local h = redis.call('HMGET', KEYS[1], 'lat', 'ttft', 'err', 'n', 'fails', 'open', 'cool', 'tps')
local lat, tt, err, tps = tonumber(h[1]), tonumber(h[2]), tonumber(h[3]), tonumber(h[8])
local n, fails, open, cool = tonumber(h[4]) or 0, tonumber(h[5]) or 0, tonumber(h[6]) or 0, tonumber(h[7]) or 0
local function ewma(previous, sample)
  if previous == nil then return sample end
  return previous + alpha * (sample - previous)
end
if outcome == 'success' then
  lat = ewma(lat, latency)
  if ttft ~= nil then tt = ewma(tt, ttft) end
  if speed ~= nil then tps = ewma(tps, speed) end
  err = ewma(err, 0)
  fails = 0
  open = 0
elseif outcome == 'failed' then
  err = ewma(err, 1)
  fails = fails + 1
  if fails >= threshold then open = now + openMs end
else
  err = ewma(err, 1)
  cool = math.max(cool, now + (retryAfter or cooldownMs))
end
redis.call('HSET', KEYS[1], 'err', tostring(err), 'n', tostring(n + 1), 'fails', tostring(fails),
  'open', string.format('%d', open), 'cool', string.format('%d', cool))
if lat ~= nil then redis.call('HSET', KEYS[1], 'lat', tostring(lat)) end
if tt ~= nil then redis.call('HSET', KEYS[1], 'ttft', tostring(tt)) end
if tps ~= nil then redis.call('HSET', KEYS[1], 'tps', tostring(tps)) end
redis.call('PEXPIRE', KEYS[1], ARGV[9])
return 1
`;

type RecordScript = (key: string, ...args: string[]) => Promise<number>;

const keyOf = (deploymentId: string) => `health:{${deploymentId}}`;
const optional = (value: string | null): number | undefined => (value === null ? undefined : Number(value));

/** The distributed health store: one hash per deployment, written by one script, read in one round trip. */
export class RedisHealthStore implements HealthStore {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('healthRecord', { numberOfKeys: 1, lua: RECORD });
  }

  async record(outcome: DeploymentOutcome, now: number, rules: HealthRules): Promise<void> {
    const script = (this.redis as unknown as { healthRecord: RecordScript }).healthRecord.bind(this.redis);
    const speed = speedSample(outcome);
    await script(
      keyOf(outcome.deploymentId),
      String(now),
      outcome.outcome,
      String(outcome.latencyMs),
      outcome.ttftMs === undefined ? '' : String(outcome.ttftMs),
      outcome.retryAfterMs === undefined ? '' : String(outcome.retryAfterMs),
      String(rules.breakerFailures),
      String(rules.breakerOpenMs),
      String(rules.cooldownMs),
      String(HEALTH_TTL_MS),
      String(EWMA_ALPHA),
      speed === undefined ? '' : String(speed),
    );
  }

  async read(deploymentIds: readonly string[]): Promise<Map<string, HealthRecord>> {
    // Auto-pipelined: one round trip for every candidate.
    const rows = await Promise.all(
      deploymentIds.map((id) => this.redis.hmget(keyOf(id), 'lat', 'ttft', 'err', 'n', 'fails', 'open', 'cool', 'tps')),
    );
    const found = new Map<string, HealthRecord>();
    rows.forEach(([lat, ttft, err, samples, failures, open, cool, tps], index) => {
      if (samples === null || samples === undefined) return;
      const latencyMs = optional(lat ?? null);
      const ttftMs = optional(ttft ?? null);
      const outputTokensPerSecond = optional(tps ?? null);
      found.set(deploymentIds[index]!, {
        ...(latencyMs === undefined ? {} : { latencyMs }),
        ...(ttftMs === undefined ? {} : { ttftMs }),
        ...(outputTokensPerSecond === undefined ? {} : { outputTokensPerSecond }),
        errorRate: Number(err ?? 0),
        samples: Number(samples),
        failures: Number(failures ?? 0),
        openUntil: Number(open ?? 0),
        coolUntil: Number(cool ?? 0),
      });
    });
    return found;
  }

  async claimProbe(deploymentId: string, _now: number, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${keyOf(deploymentId)}:probe`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}
