import type { paths } from '../../api/schema';
import type { OrgPlans, PlanName, PlanSettings } from '../../api/types';
import { parseUsd } from '../../ui/money';

export const PLAN_LABELS: Record<PlanName, string> = {
  payg: 'Pay as you go',
  free: 'Free',
  enterprise: 'Enterprise',
};

/** The plan dialog's fields, all as typed. */
export interface PlanDraft {
  plan: PlanName;
  effectiveFrom: string;
  timezone: string;
  allowedModels: string;
  quotaUnit: 'tokens' | 'calls';
  quotaLimit: string;
  tiers: Array<{ aboveUsd: string; percent: string }>;
  rates: Array<{
    target: 'model' | 'provider';
    name: string;
    kind: 'percent' | 'prices';
    percent: string;
    inputPerMTokUsd: string;
    outputPerMTokUsd: string;
  }>;
  creditLimitUsd: string;
}

/** `PUT /admin/v1/orgs/:orgId/plan`'s body, as the OpenAPI document types it. */
export type PlanBody = NonNullable<
  paths['/admin/v1/orgs/{orgId}/plan']['put']['requestBody']
>['content']['application/json'];

/** The dialog's fields filled from the plan in force. */
export const draftOf = (current: OrgPlans['current']): PlanDraft => {
  const settings = current.settings;
  return {
    plan: current.plan,
    effectiveFrom: '',
    timezone: settings.timezone ?? 'UTC',
    allowedModels: (settings.allowedModels ?? []).join(', '),
    quotaUnit: settings.dailyQuota?.unit ?? 'tokens',
    quotaLimit: settings.dailyQuota ? String(settings.dailyQuota.limit) : '',
    tiers: (settings.tiers ?? []).map((tier) => ({ aboveUsd: tier.aboveUsd, percent: String(tier.percent) })),
    rates: (settings.rates ?? []).map((rate) => ({
      target: rate.model !== undefined ? 'model' : 'provider',
      name: rate.model ?? rate.provider ?? '',
      kind: rate.percent !== undefined ? 'percent' : 'prices',
      percent: rate.percent !== undefined ? String(rate.percent) : '',
      inputPerMTokUsd: rate.inputPerMTokUsd ?? '',
      outputPerMTokUsd: rate.outputPerMTokUsd ?? '',
    })),
    creditLimitUsd: settings.creditLimitUsd ?? '',
  };
};

const PERCENT = /^\d{1,3}(\.\d{1,2})?$/;
const percentOf = (text: string): number | null => {
  const value = text.trim();
  return PERCENT.test(value) && Number(value) <= 100 ? Number(value) : null;
};
const target = (kind: 'model' | 'provider', name: string) => (kind === 'model' ? { model: name } : { provider: name });
const usd = (text: string): string | null => (parseUsd(text) === null ? null : text.trim());

/**
 * `PUT /admin/v1/orgs/:orgId/plan`'s body from the fields, or what to correct. Checks what the
 * API would refuse, so the person learns it before sending; the API still checks it all.
 */
export const planBodyOf = (draft: PlanDraft): { body: PlanBody } | { problem: string } => {
  const effectiveFrom = draft.effectiveFrom ? { effectiveFrom: new Date(draft.effectiveFrom).toISOString() } : {};
  const timezone = draft.timezone.trim() || 'UTC';
  switch (draft.plan) {
    case 'payg':
      return { body: { plan: 'payg', ...effectiveFrom, settings: {} } };
    case 'free': {
      const allowedModels = draft.allowedModels
        .split(/[\s,]+/)
        .map((name) => name.trim())
        .filter(Boolean);
      if (allowedModels.length === 0) return { problem: 'A free plan names the models it allows.' };
      const limit = Number(draft.quotaLimit);
      if (!/^\d+$/.test(draft.quotaLimit.trim()) || limit <= 0)
        return { problem: 'The daily quota is a positive whole number.' };
      return {
        body: {
          plan: 'free',
          ...effectiveFrom,
          settings: { allowedModels, dailyQuota: { unit: draft.quotaUnit, limit }, timezone },
        },
      };
    }
    case 'enterprise': {
      const tiers: NonNullable<PlanSettings['tiers']> = [];
      for (const [index, tier] of draft.tiers.entries()) {
        const aboveUsd = usd(tier.aboveUsd);
        const percent = percentOf(tier.percent);
        if (aboveUsd === null || percent === null)
          return { problem: `Tier ${index + 1}: an amount in USD and a percent from 0 to 100 (two decimals at most).` };
        if (index > 0 && parseUsd(aboveUsd)! <= parseUsd(tiers[index - 1]!.aboveUsd)!)
          return { problem: 'Tiers go up: each starts above the one before.' };
        tiers.push({ aboveUsd, percent });
      }
      const rates: NonNullable<PlanSettings['rates']> = [];
      for (const [index, rate] of draft.rates.entries()) {
        const name = rate.name.trim();
        if (!name) return { problem: `Rate ${index + 1}: name the ${rate.target}.` };
        if (rate.kind === 'percent') {
          const percent = percentOf(rate.percent);
          if (percent === null) return { problem: `Rate ${index + 1}: a percent from 0 to 100.` };
          rates.push({ ...target(rate.target, name), percent });
        } else {
          const input = usd(rate.inputPerMTokUsd);
          const output = usd(rate.outputPerMTokUsd);
          if (input === null || output === null)
            return { problem: `Rate ${index + 1}: input and output prices per million tokens in USD.` };
          rates.push({ ...target(rate.target, name), inputPerMTokUsd: input, outputPerMTokUsd: output });
        }
      }
      const limit = draft.creditLimitUsd.trim();
      if (limit && !parseUsd(limit)) return { problem: 'A credit limit is a positive USD amount (or empty: prepaid).' };
      return {
        body: {
          plan: 'enterprise',
          ...effectiveFrom,
          settings: { timezone, tiers, rates, ...(limit ? { creditLimitUsd: limit } : {}) },
        },
      };
    }
  }
};
