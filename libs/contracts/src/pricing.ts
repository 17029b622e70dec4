import type { Usage } from './canonical/chat';
import type { Deployment, Pricing } from './messages/plan.message';
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

/** Cost in nano-USD of the tokens a call used, rounded up to a whole nano-USD. */
export const callCost = (pricing: Pricing, usage: Pick<Usage, 'inputTokens' | 'outputTokens'>): bigint =>
  ceilDiv(
    BigInt(usage.inputTokens) * BigInt(pricing.inputPerMTok) +
      BigInt(usage.outputTokens) * BigInt(pricing.outputPerMTok),
    TOKENS_PER_PRICE_UNIT,
  );

/**
 * The most a call can cost on any of its candidates: the input is bounded by `promptTokensBound`
 * (images by the candidate's own rules), the output by `max_tokens` or the deployment's maximum, and
 * the whole is taken `n` times (a provider bills the prompt once, so this over-holds for `n` > 1).
 */
export const maxCallCost = (candidates: Deployment[], bound: CallBound): bigint => {
  const shape = bound.prompt;
  return candidates.reduce((max, deployment) => {
    const inputTokens = shape.tokens + imagesBound(shape, deployment.upstreamModel);
    const outputTokens = Math.min(bound.maxOutputTokens ?? deployment.maxOutputTokens, deployment.maxOutputTokens);
    const cost = callCost(deployment.pricing, { inputTokens, outputTokens }) * BigInt(bound.n ?? 1);
    return cost > max ? cost : max;
  }, 0n);
};

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
