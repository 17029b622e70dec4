import type { CatalogModelView, Pricing } from '@polymux/contracts';
import { nanoToUsd, pricesAt } from '@polymux/contracts';

/** One price as people and programs read it: USD per million tokens, and integer nano-USD. */
const perMTok = (nano: string) => ({ usdPerMTok: nanoToUsd(BigInt(nano)), nanoUsdPerMTok: nano });

/**
 * Every kind's price at one level, the base one filled in where the catalog names none (cached
 * reads and cache writes as input, reasoning as output, images as input): what a call is charged.
 */
const levelView = (pricing: Pricing) => ({
  input: perMTok(pricing.inputPerMTok),
  cachedInput: perMTok(pricing.cachedInputPerMTok ?? pricing.inputPerMTok),
  cacheWrite: perMTok(pricing.cacheWritePerMTok ?? pricing.inputPerMTok),
  output: perMTok(pricing.outputPerMTok),
  reasoning: perMTok(pricing.reasoningPerMTok ?? pricing.outputPerMTok),
  imageInput: perMTok(pricing.imageInputPerMTok ?? pricing.inputPerMTok),
  perRequest: { usd: nanoToUsd(BigInt(pricing.perRequest ?? '0')), nanoUsd: pricing.perRequest ?? '0' },
});

/** A deployment's prices as settled: the base level, and each long-context tier as a whole level. */
export const pricingView = (pricing: Pricing) => ({
  ...levelView(pricing),
  tiers: (pricing.tiers ?? []).map((tier) => ({
    aboveInputTokens: tier.aboveInputTokens,
    ...levelView(pricesAt(pricing, tier.aboveInputTokens + 1)),
  })),
});

/** A catalog model as `GET /admin/v1/catalog` shows it. */
export const catalogModelView = (model: CatalogModelView) => ({
  ...model,
  deployments: model.deployments.map((deployment) => ({
    ...deployment,
    pricing: deployment.pricing && pricingView(deployment.pricing),
  })),
});
