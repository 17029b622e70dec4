import { pricingView } from './catalog-view.views';

describe('catalog price views', () => {
  it('shows every kind at the price a call is charged, the base one where the catalog names none', () => {
    const view = pricingView({
      inputPerMTok: '2500000000',
      outputPerMTok: '10000000000',
      cachedInputPerMTok: '1250000000',
      perRequest: '7',
      tiers: [{ aboveInputTokens: 200_000, inputPerMTok: '5000000000', outputPerMTok: '15000000000' }],
    });
    expect(view).toMatchObject({
      input: { usdPerMTok: '2.5', nanoUsdPerMTok: '2500000000' },
      cachedInput: { usdPerMTok: '1.25' },
      cacheWrite: { usdPerMTok: '2.5' },
      output: { usdPerMTok: '10' },
      reasoning: { usdPerMTok: '10', nanoUsdPerMTok: '10000000000' },
      imageInput: { usdPerMTok: '2.5' },
      perRequest: { usd: '0.000000007', nanoUsd: '7' },
    });
    // A tier names input and output: its other prices are the base ones, as pricesAt takes them.
    expect(view.tiers).toEqual([
      expect.objectContaining({
        aboveInputTokens: 200_000,
        input: { usdPerMTok: '5', nanoUsdPerMTok: '5000000000' },
        cachedInput: { usdPerMTok: '1.25', nanoUsdPerMTok: '1250000000' },
        output: { usdPerMTok: '15', nanoUsdPerMTok: '15000000000' },
        reasoning: { usdPerMTok: '15', nanoUsdPerMTok: '15000000000' },
        perRequest: { usd: '0.000000007', nanoUsd: '7' },
      }),
    ]);
  });
});
