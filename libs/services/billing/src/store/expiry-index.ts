import type { Redis } from 'ioredis';

/**
 * Frees the due holds of the owners (accounts, orgs) a hold-expiry index names, each by its own
 * `expire` script (which answers how many it freed and its earliest remaining expiry), then
 * reschedules the owner in the index. The index is a separate slot, so this is not atomic with a
 * hold: re-reading the owner's earliest expiry after the index write (and `LT`, which only lowers)
 * keeps a hold taken meanwhile from going unindexed.
 */
export const releaseDueHolds = async (
  redis: Redis,
  index: string,
  upToMs: number,
  limit: number,
  owner: { expire: (id: string) => Promise<[number, string]>; expiriesKey: (id: string) => string },
): Promise<number> => {
  const due = await redis.zrangebyscore(index, '-inf', upToMs, 'LIMIT', 0, limit);
  const freed = await Promise.all(
    due.map(async (id) => {
      const [count, earliest] = await owner.expire(id);
      if (earliest === '') await redis.zrem(index, id);
      else await redis.zadd(index, earliest, id);
      const [, after] = await redis.zrange(owner.expiriesKey(id), 0, 0, 'WITHSCORES');
      if (after !== undefined) await redis.zadd(index, 'LT', after, id);
      return count;
    }),
  );
  return freed.reduce((sum, count) => sum + count, 0);
};
