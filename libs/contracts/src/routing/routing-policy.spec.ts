import { RoutingPolicy, mergePolicies } from './routing-policy';

describe('mergePolicies', () => {
  it('tightens restrictions at every level and lets the most specific level set preferences', () => {
    const org = RoutingPolicy.parse({
      allowModels: ['a', 'b', 'c'],
      denyProviders: ['x'],
      zeroRetentionOnly: true,
      maxPricePerMTok: { input: '5', output: '20' },
      regions: ['eu', 'us'],
      aliases: { fast: 'a', smart: 'c' },
      strategy: { type: 'cheapest-capable' },
      tasks: { code: { models: ['c'], minTier: 'frontier' } },
    });
    const key = RoutingPolicy.parse({
      allowModels: ['b', 'c', 'd'],
      denyProviders: ['y'],
      zeroRetentionOnly: false,
      maxPricePerMTok: { output: '10' },
      regions: ['eu'],
      aliases: { fast: 'b' },
      strategy: { type: 'best-quality' },
      tasks: { code: { minTier: 'standard' } },
    });
    expect(mergePolicies([org, {}, {}, key])).toEqual({
      allowModels: ['b', 'c'],
      denyProviders: ['x', 'y'],
      zeroRetentionOnly: true,
      maxPricePerMTok: { input: '5', output: '10' },
      regions: ['eu'],
      aliases: { fast: 'b', smart: 'c' },
      strategy: { type: 'best-quality' },
      tasks: { code: { models: ['c'], minTier: 'standard' } },
    });
  });

  it('takes budget pressure from the most specific level that sets it', () => {
    const org = RoutingPolicy.parse({ budgetPressure: { atPercent: 80, maxTier: 'standard' } });
    const key = RoutingPolicy.parse({ budgetPressure: { atPercent: 50 } });
    expect(mergePolicies([org, {}]).budgetPressure).toEqual({ atPercent: 80, maxTier: 'standard' });
    expect(mergePolicies([org, key]).budgetPressure).toEqual({ atPercent: 50 });
    expect(RoutingPolicy.safeParse({ budgetPressure: { atPercent: 0 } }).success).toBe(false);
    expect(RoutingPolicy.safeParse({ budgetPressure: { atPercent: 80, tier: 'economy' } }).success).toBe(false);
  });

  it('is no policy for no levels, and one level unchanged', () => {
    expect(mergePolicies([])).toEqual({});
    const only = RoutingPolicy.parse({ denyModels: ['a'], strategy: { type: 'fastest' } });
    expect(mergePolicies([only])).toEqual(only);
  });

  it('refuses unknown fields and strategies', () => {
    expect(RoutingPolicy.safeParse({ strategy: { type: 'random' } }).success).toBe(false);
    expect(RoutingPolicy.safeParse({ allowModel: ['a'] }).success).toBe(false);
    expect(RoutingPolicy.parse({ strategy: { type: 'balanced' } }).strategy).toEqual({
      type: 'balanced',
      weights: { cost: 1, quality: 1, speed: 1 },
    });
  });
});
