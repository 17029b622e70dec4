import type { Catalog, CatalogModel } from '@polymux/catalog';

import { strongestTier, tierOf } from './quality-tier';

/** Input plus output list price per million tokens of a model's first priced deployment: how cheap it is. */
const listPrice = (catalog: Catalog, model: CatalogModel): bigint => {
  const [first] = catalog.deployments(model);
  return first ? BigInt(first.pricing.inputPerMTok) + BigInt(first.pricing.outputPerMTok) : 0n;
};

/**
 * "The strongest model" by the router's quality tiers, what the routing saving is measured against
 * (the benchmark's baseline and the usage report's `savings`): among the priced chat models `auto`
 * chooses from for any task, those of the highest tier; of several, the cheapest by list price, so
 * the baseline is the least expensive way to always use that tier (the saving is not inflated).
 * Undefined when `auto` has no priced model.
 */
export const strongestModel = (catalog: Catalog): CatalogModel | undefined => {
  const models = catalog
    .autoModelsOfAnyTask()
    .filter((model) => !model.capabilities.embeddings && catalog.isPriced(model));
  const tier = strongestTier(models);
  return models
    .filter((model) => tierOf(model) === tier)
    .sort((a, b) => {
      const difference = listPrice(catalog, a) - listPrice(catalog, b);
      return difference < 0n ? -1 : difference > 0n ? 1 : 0;
    })[0];
};
