import type { UsageGroup } from '@polymux/contracts';

import { usageGroupView, usageReportCsv } from './usage.views';

const group = (changes: Partial<UsageGroup> = {}): UsageGroup => ({
  bucket: null,
  group: { model: 'small' },
  calls: 2,
  inputTokens: 300,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 40,
  reasoningTokens: 0,
  listCost: '1500000',
  discount: '500000',
  charged: '1000000',
  ...changes,
});

describe('usage report views', () => {
  it('gives the saving as the reference cost less the list cost, in nano-USD and USD', () => {
    expect(usageGroupView(group({ referenceCost: '9000000007' }))).toMatchObject({
      listCostNanoUsd: '1500000',
      chargedNanoUsd: '1000000',
      referenceCostUsd: '9.000000007',
      referenceCostNanoUsd: '9000000007',
      savingUsd: '8.998500007',
      savingNanoUsd: '8998500007',
    });
  });

  it('shows a negative saving when the calls went to a dearer model than the reference', () => {
    expect(usageGroupView(group({ referenceCost: '1000000' }))).toMatchObject({
      savingNanoUsd: '-500000',
      savingUsd: '-0.0005',
    });
  });

  it('shows no saving fields without a reference', () => {
    expect(usageGroupView(group())).not.toHaveProperty('savingNanoUsd');
  });

  it('adds the reference cost and saving columns to the CSV of a report priced on a reference', () => {
    const csv = usageReportCsv([group({ referenceCost: '2000000' })], ['model'], false, true)
      .trim()
      .split('\n');
    expect(csv[0]).toBe(
      'model,calls,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,list_cost_usd,discount_usd,charged_usd,list_cost_nano_usd,discount_nano_usd,charged_nano_usd,reference_cost_usd,saving_usd,reference_cost_nano_usd,saving_nano_usd',
    );
    expect(csv[1]).toBe('small,2,300,0,0,40,0,0.0015,0.0005,0.001,1500000,500000,1000000,0.002,0.0005,2000000,500000');
    expect(usageReportCsv([group()], ['model'], false).split('\n')[0]).not.toContain('saving');
  });
});
