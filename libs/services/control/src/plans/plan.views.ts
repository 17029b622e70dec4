import type { OrgInvoice, OrgPlanChange, OrgPlans, PlanSpec } from '@polymux/contracts';
import { nanoToUsd, usdToNano } from '@polymux/contracts';

import type { SetPlan } from './plan.dto';

const basisPoints = (percent: number) => Math.round(percent * 100);
const percentOf = (basisPoints: number) => basisPoints / 100;

/** The admin API's plan (USD, percent) as billing stores it (nano-USD, basis points). */
export const specOf = (body: SetPlan): PlanSpec => {
  switch (body.plan) {
    case 'free':
    case 'payg':
      return { plan: body.plan, settings: body.settings } as PlanSpec;
    case 'enterprise':
      return {
        plan: 'enterprise',
        settings: {
          timezone: body.settings.timezone,
          tiers: body.settings.tiers.map((tier) => ({
            above: usdToNano(tier.aboveUsd).toString(),
            basisPoints: basisPoints(tier.percent),
          })),
          rates: body.settings.rates.map(({ model, provider, percent, inputPerMTokUsd, outputPerMTokUsd }) => ({
            ...(model === undefined ? {} : { model }),
            ...(provider === undefined ? {} : { provider }),
            ...(percent === undefined ? {} : { basisPoints: basisPoints(percent) }),
            ...(inputPerMTokUsd === undefined ? {} : { inputPerMTok: usdToNano(inputPerMTokUsd).toString() }),
            ...(outputPerMTokUsd === undefined ? {} : { outputPerMTok: usdToNano(outputPerMTokUsd).toString() }),
          })),
          ...(body.settings.creditLimitUsd === undefined
            ? {}
            : { creditLimit: usdToNano(body.settings.creditLimitUsd).toString() }),
        },
      };
  }
};

/** A stored plan as the admin API shows it: USD and percent again. */
export const planView = (spec: PlanSpec) => {
  switch (spec.plan) {
    case 'free':
    case 'payg':
      return { plan: spec.plan, settings: spec.settings };
    case 'enterprise':
      return {
        plan: spec.plan,
        settings: {
          timezone: spec.settings.timezone,
          tiers: spec.settings.tiers.map((tier) => ({
            aboveUsd: nanoToUsd(BigInt(tier.above)),
            percent: percentOf(tier.basisPoints),
          })),
          rates: spec.settings.rates.map(({ model, provider, basisPoints: bp, inputPerMTok, outputPerMTok }) => ({
            ...(model === undefined ? {} : { model }),
            ...(provider === undefined ? {} : { provider }),
            ...(bp === undefined ? {} : { percent: percentOf(bp) }),
            ...(inputPerMTok === undefined ? {} : { inputPerMTokUsd: nanoToUsd(BigInt(inputPerMTok)) }),
            ...(outputPerMTok === undefined ? {} : { outputPerMTokUsd: nanoToUsd(BigInt(outputPerMTok)) }),
          })),
          ...(spec.settings.creditLimit === undefined
            ? {}
            : { creditLimitUsd: nanoToUsd(BigInt(spec.settings.creditLimit)) }),
        },
      };
  }
};

export const changeView = (change: OrgPlanChange) => ({
  id: change.id,
  ...planView(change.spec),
  effectiveFrom: change.effectiveFrom,
  createdAt: change.createdAt,
  changedBy: change.changedBy,
  previous: planView(change.previous),
});

export const plansView = (plans: OrgPlans) => ({
  orgId: plans.orgId,
  current: {
    ...planView(plans.current.spec),
    since: plans.current.since,
    changeId: plans.current.changeId,
    ...(plans.current.quota ? { quota: plans.current.quota } : {}),
  },
  scheduled: plans.scheduled.map(changeView),
  history: plans.history.map(changeView),
  ...(plans.invoice ? { invoice: invoiceView(plans.invoice) } : {}),
});

/** What an invoiced org owes, per project (its account's balance below zero) and in total. */
const invoiceView = (invoice: OrgInvoice) => ({
  creditLimitUsd: nanoToUsd(BigInt(invoice.creditLimit)),
  owedUsd: nanoToUsd(BigInt(invoice.owed)),
  owedNanoUsd: invoice.owed,
  projects: invoice.accounts.map((account) => ({
    projectId: account.accountId.replace(/^project:/, ''),
    balanceUsd: nanoToUsd(BigInt(account.balance)),
    owedUsd: nanoToUsd(BigInt(account.owed)),
    owedNanoUsd: account.owed,
  })),
});
