import { describe, expect, it } from 'vitest';

import type { PlanDraft } from './plan-form';
import { draftOf, planBodyOf } from './plan-form';

const draft = (overrides: Partial<PlanDraft>): PlanDraft => ({
  ...draftOf({ plan: 'payg', settings: {}, since: null, changeId: null }),
  ...overrides,
});

describe('planBodyOf', () => {
  it('sends pay as you go with no settings', () => {
    expect(planBodyOf(draft({}))).toEqual({ body: { plan: 'payg', settings: {} } });
  });

  it('sends an enterprise plan with tiers, rates and a credit limit', () => {
    const answer = planBodyOf(
      draft({
        plan: 'enterprise',
        timezone: 'Europe/Berlin',
        tiers: [
          { aboveUsd: '0', percent: '0' },
          { aboveUsd: '10000', percent: '5' },
        ],
        rates: [
          {
            target: 'model',
            name: 'claude-sonnet',
            kind: 'percent',
            percent: '12.5',
            inputPerMTokUsd: '',
            outputPerMTokUsd: '',
          },
          {
            target: 'provider',
            name: 'openai',
            kind: 'prices',
            percent: '',
            inputPerMTokUsd: '2.00',
            outputPerMTokUsd: '8',
          },
        ],
        creditLimitUsd: '5000',
      }),
    );
    expect(answer).toEqual({
      body: {
        plan: 'enterprise',
        settings: {
          timezone: 'Europe/Berlin',
          tiers: [
            { aboveUsd: '0', percent: 0 },
            { aboveUsd: '10000', percent: 5 },
          ],
          rates: [
            { model: 'claude-sonnet', percent: 12.5 },
            { provider: 'openai', inputPerMTokUsd: '2.00', outputPerMTokUsd: '8' },
          ],
          creditLimitUsd: '5000',
        },
      },
    });
  });

  it('refuses tiers out of order, percents past 100 or with three decimals', () => {
    const tiers = (...pairs: Array<[string, string]>) => pairs.map(([aboveUsd, percent]) => ({ aboveUsd, percent }));
    expect(planBodyOf(draft({ plan: 'enterprise', tiers: tiers(['100', '1'], ['50', '2']) }))).toEqual({
      problem: 'Tiers go up: each starts above the one before.',
    });
    expect(planBodyOf(draft({ plan: 'enterprise', tiers: tiers(['0', '101']) }))).toHaveProperty('problem');
    expect(planBodyOf(draft({ plan: 'enterprise', tiers: tiers(['0', '1.125']) }))).toHaveProperty('problem');
  });

  it('sends a free plan with its models and daily quota', () => {
    expect(
      planBodyOf(draft({ plan: 'free', allowedModels: 'small, tiny', quotaUnit: 'calls', quotaLimit: '100' })),
    ).toEqual({
      body: {
        plan: 'free',
        settings: { allowedModels: ['small', 'tiny'], dailyQuota: { unit: 'calls', limit: 100 }, timezone: 'UTC' },
      },
    });
    expect(planBodyOf(draft({ plan: 'free', allowedModels: '', quotaLimit: '100' }))).toHaveProperty('problem');
    expect(planBodyOf(draft({ plan: 'free', allowedModels: 'small', quotaLimit: '1.5' }))).toHaveProperty('problem');
  });

  it('fills the fields from the plan in force', () => {
    const filled = draftOf({
      plan: 'enterprise',
      since: null,
      changeId: null,
      settings: {
        timezone: 'UTC',
        tiers: [{ aboveUsd: '0', percent: 3 }],
        rates: [{ provider: 'openai', percent: 10 }],
      },
    });
    expect(filled.tiers).toEqual([{ aboveUsd: '0', percent: '3' }]);
    expect(filled.rates[0]).toMatchObject({ target: 'provider', name: 'openai', kind: 'percent', percent: '10' });
  });
});
