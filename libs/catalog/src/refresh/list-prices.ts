import type { CatalogPrices } from '../catalog.schema';
import type { ModelsDevModel } from './models-dev';

/**
 * A price as either source writes it: USD per million tokens, or genai-prices' tiers (`base` up to
 * the first; a tier's `price` for the whole call once its input tokens are above `start`).
 */
export type SourcePrice = number | { base: number; tiers?: Array<{ start: number; price: number }> } | undefined;

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

type PriceKind = Exclude<keyof CatalogPrices, 'tiers'>;

/** The prices a source gave, or undefined without both an input and an output price. */
const pricesFrom = (
  kinds: Partial<Record<PriceKind, number | undefined>>,
  tiers: CatalogPrices['tiers'] = [],
): CatalogPrices | undefined => {
  if (kinds.input === undefined || kinds.output === undefined) return undefined;
  const entries = Object.entries(kinds).filter((entry): entry is [string, number] => entry[1] !== undefined);
  const prices = Object.fromEntries(entries.map(([kind, usd]) => [kind, toUsdDecimal(usd)])) as Omit<
    CatalogPrices,
    'tiers'
  >;
  return tiers.length > 0 ? { ...prices, tiers } : prices;
};

/** A tiered price's USD per million tokens for a call with `inputTokens` of input. */
const priceAt = (price: SourcePrice, inputTokens: number): number | undefined => {
  if (typeof price !== 'object') return price;
  const passed = (price.tiers ?? []).filter((tier) => inputTokens > tier.start);
  return passed.reduce((best, tier) => (tier.start > best.start ? tier : best), { start: -1, price: price.base }).price;
};

/**
 * The long-context tiers of a model's token prices, one per threshold any of them has: each names
 * input and output and every tiered price at that threshold, so what it leaves out is the base price.
 */
const tiersOf = (prices: Partial<Record<PriceKind, SourcePrice>>): NonNullable<CatalogPrices['tiers']> => {
  const tiered = Object.entries(prices).filter(
    (entry): entry is [PriceKind, Exclude<SourcePrice, number | undefined>] => typeof entry[1] === 'object',
  );
  const thresholds = [...new Set(tiered.flatMap(([, price]) => (price.tiers ?? []).map((tier) => tier.start)))];
  return thresholds
    .sort((a, b) => a - b)
    .flatMap((start) => {
      const at = (price: SourcePrice) => priceAt(price, start + 1);
      const input = at(prices.input);
      const output = at(prices.output);
      if (input === undefined || output === undefined) return [];
      const kinds = Object.fromEntries(tiered.map(([kind, price]) => [kind, toUsdDecimal(at(price)!)]));
      return [{ aboveInputTokens: start, ...kinds, input: toUsdDecimal(input), output: toUsdDecimal(output) }];
    });
};

/**
 * Prices from genai-prices' record of a model (`calcPrice(...).model_price`): the base prices, the
 * long-context tiers of tiered ones, and requests per thousand turned into a fee per request.
 */
export const genaiPrices = (modelPrice: Record<string, SourcePrice>): CatalogPrices | undefined => {
  const perThousand = baseOf(modelPrice['requests_kcount']);
  const source = Object.fromEntries(
    Object.entries(GENAI_PRICE_KINDS).map(([kind, name]) => [kind, modelPrice[name]]),
  ) as Partial<Record<PriceKind, SourcePrice>>;
  return pricesFrom(
    {
      ...Object.fromEntries(Object.entries(source).map(([kind, price]) => [kind, baseOf(price)])),
      perRequest: perThousand === undefined ? undefined : perThousand / 1000,
    },
    tiersOf(source),
  );
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
