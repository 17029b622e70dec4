import type { Usage } from './canonical/chat';
import type { Deployment, PriceTier, Pricing } from './messages/plan.message';
import type { PromptShape } from './tokens/prompt-bound';
import { imagesBound } from './tokens/prompt-bound';

/** What bounds a call's cost besides its candidates: the prompt's shape, `max_tokens` and `n`. */
export interface CallBound {
  prompt: PromptShape;
  maxOutputTokens?: number;
  n?: number;
}

const TOKENS_PER_PRICE_UNIT = 1_000_000n;

const ceilDiv = (numerator: bigint, denominator: bigint) => (numerator + denominator - 1n) / denominator;

/** What a call used, as `callCost` prices it (canonical `Usage`: input counts cached and written tokens). */
export type PricedUsage = Pick<
  Usage,
  'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'cacheWriteTokens' | 'reasoningTokens'
>;

const nano = (price: string | undefined, base: string): bigint => BigInt(price ?? base);

/** The dearest of some prices (absent ones ignored): what an upper bound charges a token at. */
const dearest = (...prices: (string | undefined)[]): bigint =>
  prices.reduce((max, price) => (price !== undefined && BigInt(price) > max ? BigInt(price) : max), 0n);

/**
 * The prices a call with `inputTokens` of input pays: the base ones, or those of the highest
 * long-context tier it is above (optional prices the tier leaves out are the base ones).
 */
export const pricesAt = (pricing: Pricing, inputTokens: number): Pricing => {
  const tier = pricing.tiers?.reduce<PriceTier | undefined>(
    (passed, candidate) =>
      inputTokens > candidate.aboveInputTokens && (!passed || candidate.aboveInputTokens > passed.aboveInputTokens)
        ? candidate
        : passed,
    undefined,
  );
  if (!tier) return pricing;
  const named = Object.entries(tier).filter(([kind, price]) => kind !== 'aboveInputTokens' && price !== undefined);
  const prices: Pricing = { ...pricing, ...Object.fromEntries(named) };
  delete prices.tiers;
  return prices;
};

/** The base prices and every tier a call with up to `inputTokens` of input may pay. */
const pricesUpTo = (pricing: Pricing, inputTokens: number): Pricing[] => [
  pricing,
  ...(pricing.tiers ?? [])
    .filter((tier) => inputTokens > tier.aboveInputTokens)
    .map((tier) => pricesAt(pricing, tier.aboveInputTokens + 1)),
];

/**
 * Cost in nano-USD of a call, rounded up to a whole nano-USD: cached reads and cache writes (part of
 * `inputTokens`) at their own prices, reasoning tokens (part of `outputTokens`) at theirs, plus the
 * fee per request. Counts a provider reports inconsistently (more cached than input) are capped.
 */
export const callCost = (listed: Pricing, usage: PricedUsage): bigint => {
  const pricing = pricesAt(listed, usage.inputTokens);
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens ?? 0, usage.inputTokens - cached);
  const reasoning = Math.min(usage.reasoningTokens ?? 0, usage.outputTokens);
  const tokens =
    BigInt(usage.inputTokens - cached - written) * BigInt(pricing.inputPerMTok) +
    BigInt(cached) * nano(pricing.cachedInputPerMTok, pricing.inputPerMTok) +
    BigInt(written) * nano(pricing.cacheWritePerMTok, pricing.inputPerMTok) +
    BigInt(usage.outputTokens - reasoning) * BigInt(pricing.outputPerMTok) +
    BigInt(reasoning) * nano(pricing.reasoningPerMTok, pricing.outputPerMTok);
  return ceilDiv(tokens, TOKENS_PER_PRICE_UNIT) + BigInt(pricing.perRequest ?? '0');
};

/**
 * The most a call can cost on any of its candidates: the input is bounded by `promptTokensBound`
 * (images by the candidate's own rules), the output by `max_tokens` or the deployment's maximum, and
 * the whole is taken `n` times (a provider bills the prompt once, so this over-holds for `n` > 1).
 * Every prompt token is taken at the dearest of the input, cached-input and cache-write prices (a
 * cache write usually costs more than input), image tokens at the image price if that is dearer,
 * every output token at the dearer of the output and reasoning prices — at the base prices and at
 * every long-context tier the bounded prompt could pass.
 */
export const maxCallCost = (candidates: Deployment[], bound: CallBound): bigint => {
  const shape = bound.prompt;
  const priced = candidates.flatMap((candidate) =>
    pricesUpTo(candidate.pricing, shape.tokens + imagesBound(shape, candidate.upstreamModel)).map((pricing) => ({
      ...candidate,
      pricing,
    })),
  );
  return priced.reduce((max, { pricing, upstreamModel, maxOutputTokens }) => {
    const promptPrice = dearest(pricing.inputPerMTok, pricing.cachedInputPerMTok, pricing.cacheWritePerMTok);
    const imagePrice = dearest(promptPrice.toString(), pricing.imageInputPerMTok);
    const outputPrice = dearest(pricing.outputPerMTok, pricing.reasoningPerMTok);
    const outputTokens = Math.min(bound.maxOutputTokens ?? maxOutputTokens, maxOutputTokens);
    const tokens =
      BigInt(shape.tokens) * promptPrice +
      BigInt(imagesBound(shape, upstreamModel)) * imagePrice +
      BigInt(outputTokens) * outputPrice;
    const cost = (ceilDiv(tokens, TOKENS_PER_PRICE_UNIT) + BigInt(pricing.perRequest ?? '0')) * BigInt(bound.n ?? 1);
    return cost > max ? cost : max;
  }, 0n);
};

/**
 * The most tokens a call can use on any of its candidates (what a free plan's token quota holds):
 * the prompt's bound with its images, plus `max_tokens` or the deployment's maximum output, `n` times.
 */
export const maxCallTokens = (candidates: Deployment[], bound: CallBound): number =>
  candidates.reduce((max, { upstreamModel, maxOutputTokens }) => {
    const output = Math.min(bound.maxOutputTokens ?? maxOutputTokens, maxOutputTokens);
    const tokens = (bound.prompt.tokens + imagesBound(bound.prompt, upstreamModel) + output) * (bound.n ?? 1);
    return Math.max(max, tokens);
  }, 0);

/** Parses a decimal USD amount (`"0.40"`) into integer nano-USD without floating point. */
export const usdToNano = (usd: string): bigint => {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(usd.trim());
  if (!match) throw new Error(`"${usd}" is not a non-negative USD amount with at most 9 decimals`);
  return BigInt(match[1]) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
};

/** Formats integer nano-USD as a decimal USD string (`"0.000412"`), trailing zeros trimmed. */
export const nanoToUsd = (nano: bigint): string => {
  const sign = nano < 0n ? '-' : '';
  const abs = nano < 0n ? -nano : nano;
  const fraction = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${abs / 1_000_000_000n}${fraction ? `.${fraction}` : ''}`;
};
