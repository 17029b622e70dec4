import type { PlanSpec } from '@polymux/contracts';

import type { PlanChangeRef, PricedCall } from './plan-pricing';
import { callPrice, changeInForce, modelsAllowed, planInForce, tierDiscount } from './plan-pricing';

const USD = 1_000_000_000n;
const call = (overrides: Partial<PricedCall> = {}): PricedCall => ({
  listCost: 1_000_000n,
  model: 'small-model',
  provider: 'openai',
  inputTokens: 100,
  outputTokens: 10,
  monthListSpent: 0n,
  ...overrides,
});
const enterprise = (settings: Partial<Extract<PlanSpec, { plan: 'enterprise' }>['settings']>): PlanSpec => ({
  plan: 'enterprise',
  settings: { timezone: 'UTC', tiers: [], rates: [], ...settings },
});
const tiers = [
  { above: '0', basisPoints: 0 },
  { above: (10_000n * USD).toString(), basisPoints: 500 },
  { above: (50_000n * USD).toString(), basisPoints: 1000 },
];

describe('tierDiscount (marginal)', () => {
  it('gives nothing below the first discounted tier, and its rate to all of a call above it', () => {
    expect(tierDiscount(tiers, 0n, 1_000_000n)).toBe(0n);
    expect(tierDiscount(tiers, 10_000n * USD, 1_000_000n)).toBe(50_000n);
    expect(tierDiscount(tiers, 60_000n * USD, 1_000_000n)).toBe(100_000n);
  });

  it('splits a call that crosses a boundary at it', () => {
    // 400,000 below $10,000 at 0 %, 600,000 above it at 5 %.
    expect(tierDiscount(tiers, 10_000n * USD - 400_000n, 1_000_000n)).toBe(30_000n);
    // Across two boundaries: 1 USD at 5 % and 1 USD at 10 %.
    const wide = [
      { above: '0', basisPoints: 0 },
      { above: USD.toString(), basisPoints: 500 },
      { above: (2n * USD).toString(), basisPoints: 1000 },
    ];
    expect(tierDiscount(wide, 0n, 3n * USD)).toBe(150_000_000n);
  });

  it('a call ending exactly on a boundary gets none of the next tier', () => {
    expect(tierDiscount(tiers, 10_000n * USD - 1_000_000n, 1_000_000n)).toBe(0n);
  });

  it('rounds the exact sum down once, less than one nano-USD short', () => {
    // 333 nano at 5 % is 16.65: 16.
    expect(tierDiscount(tiers, 10_000n * USD, 333n)).toBe(16n);
    // Parts of 1 nano at 3 % and 1 nano at 7 % sum to 0.1 exactly, not to 0 + 0 rounded twice.
    const odd = [
      { above: '0', basisPoints: 300 },
      { above: '1', basisPoints: 700 },
    ];
    expect(tierDiscount(odd, 0n, 10n)).toBe(0n);
    expect(tierDiscount(odd, 0n, 11n)).toBe(0n);
    expect(tierDiscount(odd, 0n, 16n)).toBe(1n); // 0.03 + 15 × 0.07 = 1.08
  });
});

describe('callPrice', () => {
  it('charges list on payg, nothing on free (all of it discount)', () => {
    expect(callPrice({ plan: 'payg', settings: {} }, call())).toEqual({
      listCost: 1_000_000n,
      discount: 0n,
      charged: 1_000_000n,
    });
    const free: PlanSpec = {
      plan: 'free',
      settings: { allowedModels: ['small-model'], dailyQuota: { unit: 'calls', limit: 3 }, timezone: 'UTC' },
    };
    expect(callPrice(free, call())).toEqual({ listCost: 1_000_000n, discount: 1_000_000n, charged: 0n });
  });

  it('applies volume tiers by the month spend before the call', () => {
    const spec = enterprise({ tiers });
    expect(callPrice(spec, call({ monthListSpent: 20_000n * USD }))).toEqual({
      listCost: 1_000_000n,
      discount: 50_000n,
      charged: 950_000n,
    });
  });

  it('prefers a model rate to a provider rate, and either to the tiers', () => {
    const spec = enterprise({
      tiers,
      rates: [
        { provider: 'openai', basisPoints: 1000 },
        { model: 'small-model', basisPoints: 2000 },
      ],
    });
    expect(callPrice(spec, call({ monthListSpent: 60_000n * USD })).discount).toBe(200_000n);
    expect(callPrice(spec, call({ model: 'other' })).discount).toBe(100_000n);
    expect(
      callPrice(spec, call({ model: 'other', provider: 'anthropic', monthListSpent: 60_000n * USD })).discount,
    ).toBe(100_000n);
  });

  it('prices explicit per-MTok contract rates, rounded up to a whole nano-USD, never above list', () => {
    // 100 input tokens at 1,000 and 10 output at 50,000 nano-USD per million: 0.6 nano-USD, charged as 1.
    const spec = enterprise({ rates: [{ model: 'small-model', inputPerMTok: '1000', outputPerMTok: '50000' }] });
    expect(callPrice(spec, call())).toEqual({ listCost: 1_000_000n, discount: 999_999n, charged: 1n });
    const dear = enterprise({
      rates: [{ model: 'small-model', inputPerMTok: '1' + '0'.repeat(12), outputPerMTok: '0' }],
    });
    expect(callPrice(dear, call())).toEqual({ listCost: 1_000_000n, discount: 0n, charged: 1_000_000n });
  });

  it('is deterministic and keeps charged + discount = list', () => {
    const spec = enterprise({ tiers });
    for (const spent of [0n, 9_999n * USD, 10_000n * USD - 7n, 49_999n * USD + 123_456n]) {
      const first = callPrice(spec, call({ listCost: 777_777n, monthListSpent: spent }));
      expect(callPrice(spec, call({ listCost: 777_777n, monthListSpent: spent }))).toEqual(first);
      expect(first.charged + first.discount).toBe(777_777n);
      expect(first.discount >= 0n && first.charged >= 0n).toBe(true);
    }
  });
});

describe('plan in force', () => {
  const change = (id: string, plan: PlanSpec['plan'], effectiveFromMs: number, createdAtMs = 0): PlanChangeRef => ({
    id,
    spec: plan === 'enterprise' ? enterprise({}) : ({ plan, settings: {} } as PlanSpec),
    effectiveFromMs,
    createdAtMs,
  });

  it('is payg before any change', () => {
    expect(planInForce([], 5)).toEqual({ plan: 'payg', settings: {} });
    expect(planInForce([change('a', 'enterprise', 10)], 9).plan).toBe('payg');
  });

  it('is the last change at or before the instant, in any order recorded', () => {
    const changes = [change('c', 'payg', 30), change('a', 'enterprise', 10), change('b', 'free', 20)];
    expect(changeInForce(changes, 10)?.id).toBe('a');
    expect(changeInForce(changes, 19)?.id).toBe('a');
    expect(changeInForce(changes, 20)?.id).toBe('b');
    expect(changeInForce(changes, 1_000)?.id).toBe('c');
  });

  it('lets the later recorded of two changes for one instant win', () => {
    expect(changeInForce([change('late', 'free', 10, 2), change('early', 'enterprise', 10, 1)], 10)?.id).toBe('late');
  });
});

describe('modelsAllowed', () => {
  const facts = (requestedModel: string, models: string[]) => ({ requestedModel, models, maxTokens: 10 });
  it('allows a listed name, or a call every candidate model of which is listed', () => {
    expect(modelsAllowed(['fast'], facts('fast', ['a', 'b']))).toBe(true);
    expect(modelsAllowed(['a', 'b'], facts('auto', ['a', 'b']))).toBe(true);
    expect(modelsAllowed(['a'], facts('auto', ['a', 'b']))).toBe(false);
    expect(modelsAllowed(['a'], facts('b', ['b']))).toBe(false);
  });
});
