import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { Budget, BudgetPeriod, BudgetScope, Project, Team } from '../../api/types';
import { parseUsd } from '../../ui/money';
import { ErrorState } from '../../ui/states';
import { PERIOD_LABELS, SCOPE_LABELS, thresholdsOf } from './budget-labels';
import { FormActions } from '../../ui/dialog';

export interface BudgetLimits {
  amountUsd: string;
  hardLimitUsd: string;
  thresholds: string;
}

/** The amount, hard limit and thresholds as the API takes them, or what to correct. */
export const limitsOf = (
  fields: BudgetLimits,
): { amountUsd: string; hardLimitUsd: string | null; thresholds: number[] } | { problem: string } => {
  const amount = parseUsd(fields.amountUsd);
  if (amount === null || amount === 0n) return { problem: 'The amount is a positive USD amount such as 100.00.' };
  const hard = fields.hardLimitUsd.trim();
  if (hard && parseUsd(hard) === null) return { problem: 'The hard limit is a USD amount, or empty for none.' };
  const thresholds = thresholdsOf(fields.thresholds);
  if (!thresholds)
    return { problem: 'Thresholds are up to 10 different whole percents from 1 to 1000, such as 50, 80, 100.' };
  return { amountUsd: fields.amountUsd.trim(), hardLimitUsd: hard || null, thresholds };
};

/** Amount, hard limit and thresholds: the fields a budget's creation and its change share. */
export function LimitFields({ fields, onChange }: { fields: BudgetLimits; onChange: (fields: BudgetLimits) => void }) {
  const set = (name: keyof BudgetLimits) => (event: { target: { value: string } }) =>
    onChange({ ...fields, [name]: event.target.value });
  return (
    <>
      <label>
        Amount (USD)
        <input inputMode="decimal" value={fields.amountUsd} onChange={set('amountUsd')} />
      </label>
      <label>
        Hard limit (USD, optional)
        <input inputMode="decimal" value={fields.hardLimitUsd} onChange={set('hardLimitUsd')} />
      </label>
      <label>
        Alert thresholds (% of the amount)
        <input value={fields.thresholds} onChange={set('thresholds')} />
      </label>
    </>
  );
}

/** A new budget for the org, a team, a project, a key or a user: period, zone, amount, limits. */
export function BudgetForm({
  orgId,
  orgName,
  projects,
  teams,
  defaultProject,
  onCancel,
  onCreated,
}: {
  orgId: string;
  orgName: string;
  projects: Project[];
  teams: Team[];
  defaultProject: Project | undefined;
  onCancel: () => void;
  onCreated: (budget: Budget) => void;
}) {
  const queryClient = useQueryClient();
  const [scope, setScope] = useState<BudgetScope>('project');
  const [scopeId, setScopeId] = useState(defaultProject?.id ?? '');
  const [period, setPeriod] = useState<BudgetPeriod>('monthly');
  const [timezone, setTimezone] = useState('UTC');
  const [limits, setLimits] = useState<BudgetLimits>({ amountUsd: '', hardLimitUsd: '', thresholds: '50, 80, 100' });
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: { amountUsd: string; hardLimitUsd: string | null; thresholds: number[] }) =>
      call<Budget>(
        api.POST('/admin/v1/budgets', {
          body: {
            scope,
            scopeId: scope === 'org' ? orgId : scopeId.trim(),
            period,
            timezone: timezone.trim(),
            ...body,
          },
        }),
      ),
    onSuccess: (budget) => {
      void queryClient.invalidateQueries({ queryKey: ['budgets', orgId] });
      onCreated(budget);
    },
  });
  const choices: Array<{ id: string; name: string }> | null =
    scope === 'project' ? projects : scope === 'team' ? teams : null;
  const chooseScope = (next: BudgetScope) => {
    setScope(next);
    setScopeId(next === 'project' ? (defaultProject?.id ?? '') : next === 'team' ? (teams[0]?.id ?? '') : '');
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = limitsOf(limits);
    if ('problem' in checked) return setProblem(checked.problem);
    if (scope !== 'org' && !scopeId.trim()) return setProblem(`Name the ${SCOPE_LABELS[scope].toLowerCase()}.`);
    setProblem(null);
    create.mutate(checked);
  };
  return (
    <section aria-labelledby="new-budget">
      <h2 id="new-budget">New budget</h2>
      <form className="key-form" onSubmit={submit} noValidate>
        <div className="inline-form">
          <label>
            Applies to
            <select value={scope} onChange={(event) => chooseScope(event.target.value as BudgetScope)}>
              {(Object.keys(SCOPE_LABELS) as BudgetScope[]).map((name) => (
                <option key={name} value={name}>
                  {SCOPE_LABELS[name]}
                </option>
              ))}
            </select>
          </label>
          {scope === 'org' && <p className="hint">{orgName}: every call of the organisation.</p>}
          {choices && (
            <label>
              {SCOPE_LABELS[scope]} of the budget
              <select value={scopeId} onChange={(event) => setScopeId(event.target.value)}>
                {choices.map((choice) => (
                  <option key={choice.id} value={choice.id}>
                    {choice.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {(scope === 'key' || scope === 'user') && (
            <label>
              {scope === 'key' ? 'Key id' : 'User id'}
              <input value={scopeId} onChange={(event) => setScopeId(event.target.value)} />
            </label>
          )}
        </div>
        <div className="inline-form">
          <label>
            Period
            <select value={period} onChange={(event) => setPeriod(event.target.value as BudgetPeriod)}>
              {(Object.keys(PERIOD_LABELS) as BudgetPeriod[]).map((name) => (
                <option key={name} value={name}>
                  {PERIOD_LABELS[name]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Time zone
            <input value={timezone} onChange={(event) => setTimezone(event.target.value)} />
          </label>
        </div>
        <div className="inline-form">
          <LimitFields fields={limits} onChange={setLimits} />
        </div>
        <p className="hint">
          A call that would take the period's spend past the hard limit is refused before it starts (402). Each
          threshold alerts once a period.
        </p>
        {problem && (
          <p className="error-text" role="alert">
            {problem}
          </p>
        )}
        {create.error && <ErrorState error={create.error} what="create the budget" />}
        <FormActions submit="Create budget" pending={create.isPending} onCancel={onCancel} />
      </form>
    </section>
  );
}
