import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { OrgPlans, PlanChange, PlanName, PlanSettings } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { formatUsd, parseUsd } from '../../ui/money';
import { ErrorState, Loading } from '../../ui/states';
import { PlanDialog } from './plan-dialog';
import { PLAN_LABELS } from './plan-form';

const usd = (text: string) => formatUsd(parseUsd(text) ?? 0n);
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'the start');

/** What a plan's settings mean, in a few lines: quota, volume discount tiers, contract rates, credit limit. */
function PlanSettingsView({ plan, settings }: { plan: PlanName; settings: PlanSettings }) {
  if (plan === 'payg') return <p>Calls are charged at the catalog's list prices from prepaid credit.</p>;
  if (plan === 'free')
    return (
      <ul>
        <li>Models: {settings.allowedModels?.join(', ')}</li>
        <li>
          Daily quota: {settings.dailyQuota?.limit.toLocaleString()} {settings.dailyQuota?.unit} (days in{' '}
          {settings.timezone})
        </li>
      </ul>
    );
  const tiers = settings.tiers ?? [];
  const rates = settings.rates ?? [];
  return (
    <>
      <h3>Volume discount tiers</h3>
      {tiers.length === 0 ? (
        <p>None: list prices unless a contract rate applies.</p>
      ) : (
        <ul data-testid="tiers">
          {tiers.map((tier, index) => (
            <li key={index}>
              {tier.percent}% off the month's list spend above {usd(tier.aboveUsd)}
              {tiers[index + 1] ? ` up to ${usd(tiers[index + 1]!.aboveUsd)}` : ''}
            </li>
          ))}
        </ul>
      )}
      <p className="hint">Months in {settings.timezone}; each tier discounts only the spend that falls in it.</p>
      <h3>Contract rates</h3>
      {rates.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul>
          {rates.map((rate, index) => (
            <li key={index}>
              {rate.model ? `Model ${rate.model}` : `Provider ${rate.provider}`}:{' '}
              {rate.percent !== undefined
                ? `${rate.percent}% off list`
                : `${usd(rate.inputPerMTokUsd!)} input, ${usd(rate.outputPerMTokUsd!)} output per million tokens`}
            </li>
          ))}
        </ul>
      )}
      <p>
        {settings.creditLimitUsd
          ? `Invoiced: each project may spend down to -${usd(settings.creditLimitUsd)}.`
          : 'Prepaid: calls spend credit.'}
      </p>
    </>
  );
}

const changeLine = (change: PlanChange) =>
  `${PLAN_LABELS[change.plan]} from ${when(change.effectiveFrom)} (was ${PLAN_LABELS[change.previous.plan]})`;

/** The org's plan in force with its discounts, what is scheduled, the history; a change for who may make one. */
export function PlanPanel({ orgId }: { orgId: string }) {
  const { me } = useAuth();
  const [changing, setChanging] = useState(false);
  const plans = useQuery({
    queryKey: ['plan', orgId],
    queryFn: () => call<OrgPlans>(api.GET('/admin/v1/orgs/{orgId}/plan', { params: { path: { orgId } } })),
  });
  return (
    <section aria-labelledby="plan-title">
      <div className="toolbar">
        <h2 id="plan-title">Plan and discounts</h2>
        {can(me, 'plan.write') && plans.data && (
          <button type="button" onClick={() => setChanging(true)}>
            Change plan
          </button>
        )}
      </div>
      {plans.isPending && <Loading what="the plan" />}
      {plans.error && <ErrorState error={plans.error} what="load the plan" onRetry={() => plans.refetch()} />}
      {plans.data && (
        <>
          <p>
            <strong data-testid="plan">{PLAN_LABELS[plans.data.current.plan]}</strong> since{' '}
            {when(plans.data.current.since)}
          </p>
          <PlanSettingsView plan={plans.data.current.plan} settings={plans.data.current.settings} />
          {plans.data.current.quota && (
            <p>
              Today: {plans.data.current.quota.used} used and {plans.data.current.quota.held} held of{' '}
              {plans.data.current.quota.limit} {plans.data.current.quota.unit}.
            </p>
          )}
          {plans.data.invoice && <p>Owed: {formatUsd(plans.data.invoice.owedNanoUsd)}</p>}
          {plans.data.scheduled.length > 0 && (
            <>
              <h3>Scheduled</h3>
              <ul>
                {plans.data.scheduled.map((change) => (
                  <li key={change.id}>{changeLine(change)}</li>
                ))}
              </ul>
            </>
          )}
          {plans.data.history.length > 0 && (
            <details>
              <summary>History ({plans.data.history.length})</summary>
              <ul>
                {plans.data.history.map((change) => (
                  <li key={change.id}>
                    {changeLine(change)}, recorded {when(change.createdAt)}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {!can(me, 'plan.write') && <p className="hint">The instance operator changes plans.</p>}
        </>
      )}
      {changing && plans.data && (
        <PlanDialog orgId={orgId} current={plans.data.current} onClose={() => setChanging(false)} />
      )}
    </section>
  );
}
