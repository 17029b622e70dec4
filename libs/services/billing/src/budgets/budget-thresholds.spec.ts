import { alertId, reachedThresholds } from './budget-thresholds';

describe('soft thresholds', () => {
  const budget = { amount: '1000', thresholds: [100, 50, 80, 120] };

  it('reaches a threshold at exactly its share of the amount, not a nano-USD before', () => {
    expect(reachedThresholds(budget, 0n)).toEqual([]);
    expect(reachedThresholds(budget, 499n)).toEqual([]);
    expect(reachedThresholds(budget, 500n)).toEqual([50]);
    expect(reachedThresholds(budget, 999n)).toEqual([50, 80]);
    expect(reachedThresholds(budget, 1000n)).toEqual([50, 80, 100]);
    expect(reachedThresholds(budget, 1200n)).toEqual([50, 80, 100, 120]);
  });

  it('compares amounts beyond 2^53 nano-USD exactly', () => {
    const big = { amount: (2n ** 60n).toString(), thresholds: [50] };
    expect(reachedThresholds(big, 2n ** 59n - 1n)).toEqual([]);
    expect(reachedThresholds(big, 2n ** 59n)).toEqual([50]);
  });

  it('names each alert by budget, period and threshold', () => {
    expect(alertId('b', 1_749_513_600_000, 80)).toBe('b:1749513600000:80');
  });
});
