import { TimeZone, usdToNano } from '@polymux/contracts';
import { z } from 'zod';

const usd = z.string().regex(/^\d+(\.\d{1,9})?$/, 'a USD amount such as "100.00"');
/** A percentage with at most two decimals (billing counts in basis points). */
const percent = z
  .number()
  .min(0)
  .max(100)
  .refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6, { message: 'at most two decimals' });

const FreeSettings = z.strictObject({
  allowedModels: z.array(z.string().min(1).max(128)).min(1).max(100),
  dailyQuota: z.strictObject({
    unit: z.enum(['tokens', 'calls']),
    limit: z.number().int().positive().max(1_000_000_000_000),
  }),
  timezone: TimeZone.default('UTC'),
});

const Rate = z
  .strictObject({
    model: z.string().min(1).max(128).optional(),
    provider: z.string().min(1).max(64).optional(),
    percent: percent.optional(),
    inputPerMTokUsd: usd.optional(),
    outputPerMTokUsd: usd.optional(),
  })
  .refine((rate) => (rate.model === undefined) !== (rate.provider === undefined), {
    message: 'name exactly one of model, provider',
  })
  .refine(
    (rate) =>
      rate.percent !== undefined
        ? rate.inputPerMTokUsd === undefined && rate.outputPerMTokUsd === undefined
        : rate.inputPerMTokUsd !== undefined && rate.outputPerMTokUsd !== undefined,
    { message: 'give either percent, or both inputPerMTokUsd and outputPerMTokUsd' },
  );

const EnterpriseSettings = z
  .strictObject({
    timezone: TimeZone.default('UTC'),
    tiers: z
      .array(z.strictObject({ aboveUsd: usd, percent }))
      .max(20)
      .default([]),
    rates: z.array(Rate).max(200).default([]),
    /** Invoiced: each project account may spend down to minus this; absent, prepaid. */
    creditLimitUsd: usd
      .pipe(z.string().refine((amount) => usdToNano(amount) > 0n, { message: 'a credit limit is positive' }))
      .optional(),
  })
  .refine(
    ({ tiers }) => tiers.every((tier, i) => i === 0 || usdToNano(tiers[i - 1]!.aboveUsd) < usdToNano(tier.aboveUsd)),
    { message: 'tiers must be in ascending order of aboveUsd', path: ['tiers'] },
  );

const effectiveFrom = z
  .string()
  .datetime({ offset: true, message: 'an ISO 8601 time such as "2026-01-01T00:00:00Z"' })
  .optional();

/** `PUT /admin/v1/orgs/:orgId/plan`: the plan, its settings, and from when (absent: now; never in the past). */
export const SetPlan = z.discriminatedUnion('plan', [
  z.strictObject({ plan: z.literal('free'), effectiveFrom, settings: FreeSettings }),
  z.strictObject({ plan: z.literal('payg'), effectiveFrom, settings: z.strictObject({}).default({}) }),
  z.strictObject({ plan: z.literal('enterprise'), effectiveFrom, settings: EnterpriseSettings }),
]);
export type SetPlan = z.infer<typeof SetPlan>;
