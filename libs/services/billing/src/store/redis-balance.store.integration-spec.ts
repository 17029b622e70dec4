import { randomUUID } from 'node:crypto';

import type { Command } from 'ioredis';
import { Redis } from 'ioredis';

import { describeBalanceStore } from './balance-store.contract';
import { RedisBalanceStore } from './redis-balance.store';

const prefix = `test:billing-store:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
  await redis.quit();
});

describeBalanceStore('redis', () => new RedisBalanceStore(redis));

/** Redis Cluster's rule: a key's slot is hashed from its `{tag}` (first `{`, next `}`, not empty), else the whole key. */
const hashTagOf = (key: string): string => {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
};

describe('redis balance store on Redis Cluster', () => {
  const scriptKeys: string[][] = [];
  let spy: jest.SpyInstance;

  beforeAll(() => {
    const original = redis.sendCommand.bind(redis);
    spy = jest.spyOn(redis, 'sendCommand').mockImplementation((command: Command, ...rest) => {
      if (command.name === 'evalsha' || command.name === 'eval') {
        const args = command.args.map(String);
        scriptKeys.push(args.slice(2, 2 + Number(args[1])));
      }
      return original(command, ...rest);
    });
  });
  afterAll(() => spy.mockRestore());

  it('runs every script on keys of one hash slot', async () => {
    const store = new RedisBalanceStore(redis);
    // Even an id with braces keeps its keys together: the tag ends at the first `}` after `billing:{`.
    const accountId = `acct-{odd}-${randomUUID()}`;
    const snapshot = { xmin: 10n, xmax: 10n, inProgress: [] };
    await store.hydrate(accountId, 100n, snapshot);
    const hold = (reservationId: string, expiresAtMs: number) =>
      store.reserve({ accountId, reservationId, amount: 10n, expiresAtMs, settlementKey: `charge:${reservationId}` });
    await hold('settled', Date.now() + 60_000);
    await hold('released', Date.now() + 60_000);
    await hold('expired', Date.now() - 1);
    await store.apply({ accountId, key: 'charge:settled', delta: -5n, xid: 20n, reservationId: 'settled' });
    await store.release(accountId, 'released');
    expect(await store.releaseExpired(Date.now(), 100)).toBeGreaterThanOrEqual(1);

    expect(new Set(scriptKeys.map((keys) => keys.length))).toEqual(new Set([1, 3, 4]));
    expect(scriptKeys.length).toBeGreaterThanOrEqual(6);
    for (const keys of scriptKeys) {
      expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
      expect(new Set(keys.map(hashTagOf))).toEqual(new Set(['acct-{odd']));
    }
    expect(await store.balance(accountId)).toEqual({ balance: 95n, reserved: 0n });
  });

  it('keeps a hold reserved while the sweeper reschedules its account in the index', async () => {
    const sweeperRedis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });
    const sweeper = new RedisBalanceStore(sweeperRedis);
    const store = new RedisBalanceStore(redis);
    const accountId = `acct-${randomUUID()}`;
    await store.hydrate(accountId, 100n, { xmin: 10n, xmax: 10n, inProgress: [] });
    const hold = (reservationId: string, expiresAtMs: number) =>
      store.reserve({ accountId, reservationId, amount: 10n, expiresAtMs, settlementKey: `charge:${reservationId}` });
    await hold('first', Date.now() - 1);
    // The worst interleaving: a reservation lands right after the sweep script found the account
    // empty and before the sweeper drops the account from the index.
    const later = Date.now() + 60_000;
    const expire = sweeperRedis.billingExpire.bind(sweeperRedis);
    jest.spyOn(sweeperRedis, 'billingExpire').mockImplementationOnce(async (...args) => {
      const answer = await expire(...args);
      expect(answer).toEqual([1, '']);
      await hold('second', later);
      return answer;
    });
    expect(await sweeper.releaseExpired(Date.now(), 100)).toBe(1);
    expect(await store.balance(accountId)).toEqual({ balance: 100n, reserved: 10n });
    // The account is still indexed, so the new hold is freed once it expires.
    expect(await sweeper.releaseExpired(later, 100)).toBe(1);
    expect(await store.balance(accountId)).toEqual({ balance: 100n, reserved: 0n });
    await sweeperRedis.quit();
  });
});
