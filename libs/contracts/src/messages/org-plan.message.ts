import { z } from 'zod';

import { TimeZone } from './budget.message';
import { Money } from './money';

/**
 * An organisation's plan: `payg` (prepaid, no minimum; every org's default), `free` (allowed
 * models and a daily quota, funded by the operator: charged 0, the list cost shown as discount) or
 * `enterprise` (volume tiers or contract rates, applied at settlement). Money in nano-USD,
 * percentages in basis points (1/100 of a percent), so billing's arithmetic stays integral.
 */
export const PlanKind = z.enum(['free', 'payg', 'enterprise']);
export type PlanKind = z.infer<typeof PlanKind>;

const BasisPoints = z.number().int().min(0).max(10_000);

export const FreePlanSettings = z.strictObject({
  /** Model ids or aliases a call may name; a call that could be routed to any other model is refused. */
  allowedModels: z.array(z.string().min(1).max(128)).min(1).max(100),
  /** Per calendar day in `timezone`: tokens (input + output) or calls. */
  dailyQuota: z.strictObject({
    unit: z.enum(['tokens', 'calls']),
    limit: z.number().int().positive().max(1_000_000_000_000),
  }),
  timezone: TimeZone.default('UTC'),
});
export type FreePlanSettings = z.infer<typeof FreePlanSettings>;

/** Marginal: the part of the month's list spend above `above` (nano-USD) is discounted by `basisPoints`. */
export const DiscountTier = z.strictObject({ above: Money, basisPoints: BasisPoints });
export type DiscountTier = z.infer<typeof DiscountTier>;

/** A contract rate for one model or one provider: a percent off list, or explicit prices per million tokens. */
export const ContractRate = z
  .strictObject({
    model: z.string().min(1).max(128).optional(),
    provider: z.string().min(1).max(64).optional(),
    basisPoints: BasisPoints.optional(),
    inputPerMTok: Money.optional(),
    outputPerMTok: Money.optional(),
  })
  .refine((rate) => (rate.model === undefined) !== (rate.provider === undefined), {
    message: 'name exactly one of model, provider',
  })
  .refine(
    (rate) =>
      rate.basisPoints !== undefined
        ? rate.inputPerMTok === undefined && rate.outputPerMTok === undefined
        : rate.inputPerMTok !== undefined && rate.outputPerMTok !== undefined,
    { message: 'give either a percent off list, or both per-MTok prices' },
  );
export type ContractRate = z.infer<typeof ContractRate>;

export const EnterprisePlanSettings = z
  .strictObject({
    /** The month the volume tiers count list spend in is the calendar month in this zone. */
    timezone: TimeZone.default('UTC'),
    tiers: z.array(DiscountTier).max(20).default([]),
    rates: z.array(ContractRate).max(200).default([]),
    /**
     * Invoiced: each of the org's project accounts may reserve and spend down to minus this amount
     * (nano-USD, positive), owed on the org's invoice. Absent: prepaid, no account below zero.
     */
    creditLimit: Money.refine((amount) => BigInt(amount) > 0n, { message: 'a credit limit is positive' }).optional(),
  })
  .refine(
    (settings) => settings.tiers.every((tier, i, all) => i === 0 || BigInt(all[i - 1]!.above) < BigInt(tier.above)),
    {
      message: 'tiers must be in ascending order of their threshold',
      path: ['tiers'],
    },
  );
export type EnterprisePlanSettings = z.infer<typeof EnterprisePlanSettings>;

export const PlanSpec = z.discriminatedUnion('plan', [
  z.strictObject({ plan: z.literal('free'), settings: FreePlanSettings }),
  z.strictObject({ plan: z.literal('payg'), settings: z.strictObject({}).default({}) }),
  z.strictObject({ plan: z.literal('enterprise'), settings: EnterprisePlanSettings }),
]);
export type PlanSpec = z.infer<typeof PlanSpec>;

/** One change of an org's plan: in force from `effectiveFrom` until the next change's. */
export const OrgPlanChange = z.object({
  id: z.string(),
  orgId: z.string(),
  spec: PlanSpec,
  effectiveFrom: z.string(),
  createdAt: z.string(),
  /** The admin key that made the change (null: the bootstrap key or the system). */
  changedBy: z.string().nullable(),
  /** The plan that would have been in force from `effectiveFrom` without this change. */
  previous: PlanSpec,
});
export type OrgPlanChange = z.infer<typeof OrgPlanChange>;

/** `effectiveFrom` absent: now. A time in the past is refused: a change never applies retroactively. */
export const SetPlanRequest = z.object({
  orgId: z.string().min(1),
  spec: PlanSpec,
  effectiveFrom: z.string().datetime({ offset: true }).optional(),
  changedBy: z.string().nullable(),
});
export type SetPlanRequest = z.infer<typeof SetPlanRequest>;

/** `accounts`: the org's project accounts (control knows them), whose balances the invoice shows. */
export const OrgPlanQuery = z.object({
  orgId: z.string().min(1),
  accounts: z.array(z.string().min(1)).max(1000).optional(),
});

/** What an invoiced org owes: each project account's balance below zero, and their total (nano-USD). */
export const OrgInvoice = z.object({
  creditLimit: Money,
  accounts: z.array(z.object({ accountId: z.string(), balance: Money, owed: Money })),
  owed: Money,
});
export type OrgInvoice = z.infer<typeof OrgInvoice>;

export const PlanQuotaState = z.object({
  unit: z.enum(['tokens', 'calls']),
  limit: z.number().int().positive(),
  used: z.string(),
  held: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
});
export type PlanQuotaState = z.infer<typeof PlanQuotaState>;

/** The plan in force now (`since` null: the default, never changed), the scheduled changes, and every change. */
export const OrgPlans = z.object({
  orgId: z.string(),
  current: z.object({
    spec: PlanSpec,
    since: z.string().nullable(),
    changeId: z.string().nullable(),
    /** A free plan's quota today: what settled calls used and calls in flight hold. */
    quota: PlanQuotaState.optional(),
  }),
  scheduled: z.array(OrgPlanChange),
  history: z.array(OrgPlanChange),
  /** Present while the plan in force is invoiced (an enterprise plan with a credit limit). */
  invoice: OrgInvoice.optional(),
});
export type OrgPlans = z.infer<typeof OrgPlans>;

export const SetPlanAnswer = z.object({ change: OrgPlanChange, plans: OrgPlans });

/** What the plan checks at reservation: the model asked for, the models the call may be routed to, its token bound. */
export const CallFacts = z.object({
  requestedModel: z.string(),
  models: z.array(z.string()),
  maxTokens: z.number().int().nonnegative(),
});
export type CallFacts = z.infer<typeof CallFacts>;

/** One call's price under its org's plan: `charged = listCost − discount`, nano-USD. */
export const CallPrice = z.object({ listCost: Money, discount: Money, charged: Money });
export type CallPrice = z.infer<typeof CallPrice>;
