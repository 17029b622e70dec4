import type { CallFacts, ContractRate, DiscountTier, PlanSpec } from '@polymux/contracts';

/** Basis points in a whole: 10,000 bp is 100 %. */
const WHOLE = 10_000n;
const TOKENS_PER_PRICE_UNIT = 1_000_000n;

/** Every org's plan until a change says otherwise. */
export const DEFAULT_PLAN: PlanSpec = { plan: 'payg', settings: {} };

/** One recorded plan change, as plan resolution reads it. */
export interface PlanChangeRef {
  id: string;
  spec: PlanSpec;
  effectiveFromMs: number;
  /** Orders changes with the same `effectiveFromMs`: the later recorded wins. */
  createdAtMs: number;
}

const byEffect = (a: PlanChangeRef, b: PlanChangeRef) =>
  a.effectiveFromMs - b.effectiveFromMs || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The change in force at `atMs`: the last to take effect at or before it (null: none, the default plan). */
export const changeInForce = <T extends PlanChangeRef>(changes: readonly T[], atMs: number): T | null =>
  [...changes]
    .sort(byEffect)
    .reduce<T | null>((found, change) => (change.effectiveFromMs <= atMs ? change : found), null);

export const planInForce = (changes: readonly PlanChangeRef[], atMs: number): PlanSpec =>
  changeInForce(changes, atMs)?.spec ?? DEFAULT_PLAN;

/** Whether a free plan lets the call through: its requested name is listed, or every model it may be routed to is. */
/**
 * The lowest balance a plan lets its org's project accounts reserve and spend down to (each
 * account on its own): minus an invoiced enterprise plan's credit limit, 0 for every other plan.
 */
export const creditFloor = (spec: PlanSpec): bigint =>
  spec.plan === 'enterprise' && spec.settings.creditLimit !== undefined ? -BigInt(spec.settings.creditLimit) : 0n;

export const modelsAllowed = (allowed: readonly string[], call: CallFacts): boolean =>
  allowed.includes(call.requestedModel) ||
  (call.models.length > 0 && call.models.every((model) => allowed.includes(model)));

/** What a settled call's price depends on besides its plan. */
export interface PricedCall {
  /** The call's cost at list prices (the usage event's `cost`), nano-USD. */
  listCost: bigint;
  model: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  /** The org's list spend in the current month before this call (enterprise volume tiers), nano-USD. */
  monthListSpent: bigint;
}

export interface Price {
  listCost: bigint;
  discount: bigint;
  charged: bigint;
}

/**
 * Marginal volume discount of a call whose list cost takes the month's list spend from `spent` to
 * `spent + cost`: each part of it within a tier at that tier's rate, summed exactly (nano-USD × bp),
 * rounded down once.
 */
export const tierDiscount = (tiers: readonly DiscountTier[], spent: bigint, cost: bigint): bigint => {
  const end = spent + cost;
  let exact = 0n;
  tiers.forEach((tier, index) => {
    const from = BigInt(tier.above);
    const next = tiers[index + 1];
    const to = next === undefined ? end : BigInt(next.above);
    const low = spent > from ? spent : from;
    const high = end < to ? end : to;
    if (high > low) exact += (high - low) * BigInt(tier.basisPoints);
  });
  return exact / WHOLE;
};

/** The contract rate for a call: its model's, else its provider's. */
export const rateFor = (rates: readonly ContractRate[], model: string, provider: string): ContractRate | undefined =>
  rates.find((rate) => rate.model === model) ?? rates.find((rate) => rate.provider === provider);

const rateDiscount = (rate: ContractRate, call: PricedCall): bigint => {
  if (rate.basisPoints !== undefined) return (call.listCost * BigInt(rate.basisPoints)) / WHOLE;
  const tokens =
    BigInt(call.inputTokens) * BigInt(rate.inputPerMTok!) + BigInt(call.outputTokens) * BigInt(rate.outputPerMTok!);
  // The contract cost rounded up is the discount rounded down: at most one nano-USD short of exact.
  const contract = (tokens + TOKENS_PER_PRICE_UNIT - 1n) / TOKENS_PER_PRICE_UNIT;
  return call.listCost - contract;
};

/**
 * A call's price under a plan: `charged = listCost − discount`, integer nano-USD, `0 ≤ discount ≤
 * listCost`. Free: the operator funds the call (all of it is discount). Payg: list. Enterprise: its
 * model's or provider's contract rate if one matches, else the volume tiers. Deterministic: the same
 * call and month spend give the same price, and the discount is never more than one nano-USD below exact.
 */
export const callPrice = (spec: PlanSpec, call: PricedCall): Price => {
  const { listCost } = call;
  let discount = 0n;
  switch (spec.plan) {
    case 'free':
      discount = listCost;
      break;
    case 'payg':
      break;
    case 'enterprise': {
      const rate = rateFor(spec.settings.rates, call.model, call.provider);
      discount = rate ? rateDiscount(rate, call) : tierDiscount(spec.settings.tiers, call.monthListSpent, listCost);
      break;
    }
  }
  if (discount < 0n) discount = 0n;
  if (discount > listCost) discount = listCost;
  return { listCost, discount, charged: listCost - discount };
};
