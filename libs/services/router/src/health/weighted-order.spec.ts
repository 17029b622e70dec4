import type { Deployment } from '@polymux/contracts';

import { weightedOrder } from './weighted-order';
import { plannedDeployment } from './testing/deployment.fixture';

const deployment = plannedDeployment;

/** A deterministic generator (mulberry32), so the shares below are exact for one seed. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

const firstShares = (deployments: Deployment[], draws: number): Record<string, number> => {
  const random = seeded(7);
  const counts: Record<string, number> = {};
  for (let i = 0; i < draws; i++) {
    const first = weightedOrder(deployments, random)[0]!.id;
    counts[first] = (counts[first] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([id, count]) => [id, count / draws]));
};

describe('weightedOrder', () => {
  it('keeps catalog order when no deployment has a weight', () => {
    const deployments = [deployment('a'), deployment('b')];
    expect(weightedOrder(deployments, () => 0.5)).toBe(deployments);
  });

  it('puts each deployment first in proportion to its weight, a missing weight counting as 1', () => {
    const shares = firstShares([deployment('a', 3), deployment('b'), deployment('c', 1)], 20_000);
    expect(shares.a).toBeCloseTo(0.6, 1);
    expect(shares.b).toBeCloseTo(0.2, 1);
    expect(shares.c).toBeCloseTo(0.2, 1);
  });

  it('spreads equal weights evenly and always returns every deployment once', () => {
    const deployments = [deployment('a', 1), deployment('b', 1)];
    expect(firstShares(deployments, 20_000).a).toBeCloseTo(0.5, 1);
    expect(
      weightedOrder(deployments, seeded(1))
        .map((entry) => entry.id)
        .sort(),
    ).toEqual(['a', 'b']);
  });
});
