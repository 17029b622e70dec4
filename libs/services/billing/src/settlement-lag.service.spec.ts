import type { PolymuxConfig } from '@polymux/config';
import { ErrorCode } from '@polymux/contracts';
import type { Bus, DurableBacklog } from '@polymux/messaging';

import { BROKER_CLOCK_MARGIN_MS, SettlementLag } from './settlement-lag.service';

const LAG_MAX_MS = 10_000;

describe('settlement lag', () => {
  let backlog: () => Promise<DurableBacklog>;
  let lag: SettlementLag;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    backlog = async () => ({ pending: 0, oldestPublishedAtMs: null });
    const bus = { durableBacklog: () => backlog() } as unknown as Bus;
    lag = new SettlementLag(bus, { billing: { settlementLagMaxMs: LAG_MAX_MS } } as PolymuxConfig);
  });
  afterEach(() => jest.useRealTimers());

  it('frees nothing until it has read the backlog once', () => {
    expect(lag.freeableUpToMs()).toBe(0);
    expect(() => lag.assertCurrent()).not.toThrow();
  });

  it('lets holds go up to now when nothing is pending', async () => {
    await lag.refresh();
    expect(lag.freeableUpToMs()).toBe(Date.now() - BROKER_CLOCK_MARGIN_MS);
    expect(lag.behindMs()).toBe(0);
  });

  it('stops at the oldest unsettled usage event, and fails closed once it is too old', async () => {
    const oldest = Date.now() - 4_000;
    backlog = async () => ({ pending: 3, oldestPublishedAtMs: oldest });
    await lag.refresh();
    expect(lag.freeableUpToMs()).toBe(oldest - BROKER_CLOCK_MARGIN_MS);
    expect(() => lag.assertCurrent()).not.toThrow();
    jest.setSystemTime(oldest + LAG_MAX_MS + 1);
    await lag.refresh();
    expect(lag.freeableUpToMs()).toBe(oldest - BROKER_CLOCK_MARGIN_MS);
    expect(() => lag.assertCurrent()).toThrow(
      expect.objectContaining({ code: ErrorCode.ServiceUnavailable, details: { retryAfterSeconds: 5 } }),
    );
  });

  it('counts a backlog it cannot read as lag, and keeps the last bound for freeing', async () => {
    await lag.refresh();
    const bound = lag.freeableUpToMs();
    backlog = async () => Promise.reject(new Error('jetstream unavailable'));
    jest.setSystemTime(Date.now() + LAG_MAX_MS + 1);
    await expect(lag.refresh()).rejects.toThrow('jetstream unavailable');
    expect(lag.freeableUpToMs()).toBe(bound);
    expect(() => lag.assertCurrent()).toThrow(expect.objectContaining({ code: ErrorCode.ServiceUnavailable }));
  });
});
