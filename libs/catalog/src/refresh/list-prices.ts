import type { CatalogPrices } from '../catalog.schema';
import type { ModelsDevModel } from './models-dev';

/** A price as either source writes it: USD per million tokens, or genai-prices' tiers (`base` up to the first). */
type SourcePrice = number | { base: number } | undefined;

/** genai-prices' price kinds the catalog carries, and what they are called there. */
const GENAI_PRICE_KINDS = {
  input: 'input_mtok',
  output: 'output_mtok',
  cachedInput: 'cache_read_mtok',
  cacheWrite: 'cache_write_mtok',
  reasoning: 'output_reasoning_mtok',
  imageInput: 'input_image_mtok',
} as const;

/** A USD amount as the catalog's decimal string, at most nine decimals, without floating-point noise. */
export const toUsdDecimal = (usd: number): string => {
  const fixed = usd.toFixed(9).replace(/0+$/, '');
  return fixed.endsWith('.') ? fixed.slice(0, -1) : fixed;
};

const baseOf = (price: SourcePrice): number | undefined => (typeof price === 'object' ? price.base : price);

/** The prices a source gave, or undefined without both an input and an output price. */
const pricesFrom = (kinds: Partial<Record<keyof CatalogPrices, number | undefined>>): CatalogPrices | undefined => {
  if (kinds.input === undefined || kinds.output === undefined) return undefined;
  const entries = Object.entries(kinds).filter((entry): entry is [string, number] => entry[1] !== undefined);
  return Object.fromEntries(entries.map(([kind, usd]) => [kind, toUsdDecimal(usd)])) as CatalogPrices;
};

/**
 * Prices from genai-prices' record of a model (`calcPrice(...).model_price`): the base tier of a
 * tiered price, requests per thousand turned into a fee per request.
 */
export const genaiPrices = (modelPrice: Record<string, SourcePrice>): CatalogPrices | undefined => {
  const perThousand = baseOf(modelPrice['requests_kcount']);
  return pricesFrom({
    ...Object.fromEntries(
      Object.entries(GENAI_PRICE_KINDS).map(([kind, source]) => [kind, baseOf(modelPrice[source])]),
    ),
    perRequest: perThousand === undefined ? undefined : perThousand / 1000,
  });
};

/** Prices from models.dev's `[cost]` table, for what genai-prices does not price. */
export const modelsDevPrices = (model: ModelsDevModel): CatalogPrices | undefined =>
  pricesFrom({
    input: model.cost?.input,
    output: model.cost?.output,
    cachedInput: model.cost?.cache_read,
    cacheWrite: model.cost?.cache_write,
    reasoning: model.cost?.reasoning,
  });
