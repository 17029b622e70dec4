import { randomUUID } from 'node:crypto';

import type { Command } from 'ioredis';
import { Redis } from 'ioredis';

import { describeBudgetStore } from './budget-store.contract';
import { RedisBudgetStore } from './redis-budget.store';

const prefix = `test:budget-store:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
  await redis.quit();
});

describeBudgetStore('redis', () => new RedisBudgetStore(redis));

/** Redis Cluster's rule: a key's slot is hashed from its `{tag}` (first `{`, next `}`, not empty), else the whole key. */
const hashTagOf = (key: string): string => {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
};

describe('redis budget store on Redis Cluster', () => {
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

  it('runs every script on keys of one hash slot, the org’s', async () => {
    const store = new RedisBudgetStore(redis);
    const orgId = `org-${randomUUID()}`;
    const budgets = [{ budgetId: 'b', periodStartMs: 1_000, hardLimit: 100n }];
    await store.hydrate(orgId, 1, [], { xmin: 10n, xmax: 10n, inProgress: [] });
    const hold = (reservationId: string, expiresAtMs: number) =>
      store.hold({
        orgId,
        revision: 1,
        reservationId,
        amount: 10n,
        expiresAtMs,
        settlementKey: `charge:${reservationId}`,
        budgets,
      });
    await hold('settled', Date.now() + 60_000);
    await hold('released', Date.now() + 60_000);
    await hold('expired', Date.now() - 1);
    await store.settle({
      orgId,
      revision: 1,
      reservationId: 'settled',
      key: 'charge:settled',
      cost: 5n,
      xid: 20n,
      budgets,
    });
    await store.release(orgId, 'released');
    await store.markAlerted(orgId, 'b', 1_000, 50);
    await store.raiseRevision(orgId, 2);
    expect(await store.releaseExpired(Date.now(), 100)).toBeGreaterThanOrEqual(1);
    expect(await store.state(orgId, budgets)).toEqual([
      { periodStartMs: 1_000, spent: 5n, held: 0n, alertedPercent: 50 },
    ]);

    expect(scriptKeys.length).toBeGreaterThanOrEqual(9);
    for (const keys of scriptKeys) {
      expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
      expect(new Set(keys.map(hashTagOf))).toEqual(new Set([`budgets:${orgId}`]));
    }
  });
});
