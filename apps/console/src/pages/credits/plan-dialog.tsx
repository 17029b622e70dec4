import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { OrgPlans, PlanName } from '../../api/types';
import { Dialog, FormActions } from '../../ui/dialog';
import { ErrorState } from '../../ui/states';
import type { PlanBody, PlanDraft } from './plan-form';
import { PLAN_LABELS, draftOf, planBodyOf } from './plan-form';

const NEW_RATE: PlanDraft['rates'][number] = {
  target: 'model',
  name: '',
  kind: 'percent',
  percent: '',
  inputPerMTokUsd: '',
  outputPerMTokUsd: '',
};

/** Records a plan change from now or a later time: the plan, its quota, tiers, contract rates and credit limit. */
export function PlanDialog({
  orgId,
  current,
  onClose,
}: {
  orgId: string;
  current: OrgPlans['current'];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<PlanDraft>(() => draftOf(current));
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: PlanBody) =>
      call<OrgPlans>(api.PUT('/admin/v1/orgs/{orgId}/plan', { params: { path: { orgId } }, body })),
    onSuccess: (plans) => {
      queryClient.setQueryData(['plan', orgId], plans);
      onClose();
    },
  });
  const patch = (changes: Partial<PlanDraft>) => setDraft((before) => ({ ...before, ...changes }));
  const patchRow = <K extends 'tiers' | 'rates'>(list: K, index: number, changes: Partial<PlanDraft[K][number]>) =>
    patch({
      [list]: draft[list].map((row, at) => (at === index ? { ...row, ...changes } : row)),
    } as Partial<PlanDraft>);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const answer = planBodyOf(draft);
    if ('problem' in answer) return setProblem(answer.problem);
    setProblem(null);
    save.mutate(answer.body);
  };
  return (
    <Dialog title="Change the plan" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <label>
          Plan
          <select value={draft.plan} onChange={(event) => patch({ plan: event.target.value as PlanName })}>
            {(Object.keys(PLAN_LABELS) as PlanName[]).map((plan) => (
              <option key={plan} value={plan}>
                {PLAN_LABELS[plan]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Takes effect (empty: now)
          <input
            type="datetime-local"
            value={draft.effectiveFrom}
            onChange={(event) => patch({ effectiveFrom: event.target.value })}
          />
        </label>
        {draft.plan !== 'payg' && (
          <label>
            Time zone of its days and months
            <input value={draft.timezone} onChange={(event) => patch({ timezone: event.target.value })} />
          </label>
        )}
        {draft.plan === 'free' && (
          <>
            <label>
              Allowed models (comma-separated)
              <input value={draft.allowedModels} onChange={(event) => patch({ allowedModels: event.target.value })} />
            </label>
            <div className="inline-form">
              <label>
                Daily quota
                <input
                  inputMode="numeric"
                  value={draft.quotaLimit}
                  onChange={(event) => patch({ quotaLimit: event.target.value })}
                />
              </label>
              <label>
                Counted in
                <select
                  value={draft.quotaUnit}
                  onChange={(event) => patch({ quotaUnit: event.target.value as 'tokens' | 'calls' })}
                >
                  <option value="tokens">tokens</option>
                  <option value="calls">calls</option>
                </select>
              </label>
            </div>
          </>
        )}
        {draft.plan === 'enterprise' && (
          <>
            <fieldset className="rows">
              <legend>Volume discount tiers (of the month's list spend)</legend>
              {draft.tiers.map((tier, index) => (
                <div className="inline-form" key={index}>
                  <label>
                    Above (USD)
                    <input
                      inputMode="decimal"
                      value={tier.aboveUsd}
                      onChange={(event) => patchRow('tiers', index, { aboveUsd: event.target.value })}
                    />
                  </label>
                  <label>
                    Percent off
                    <input
                      inputMode="decimal"
                      value={tier.percent}
                      onChange={(event) => patchRow('tiers', index, { percent: event.target.value })}
                    />
                  </label>
                  <button
                    type="button"
                    aria-label={`Remove tier ${index + 1}`}
                    onClick={() => patch({ tiers: draft.tiers.filter((_, at) => at !== index) })}
                  >
                    Remove
                  </button>
                </div>
              ))}
              <button type="button" onClick={() => patch({ tiers: [...draft.tiers, { aboveUsd: '', percent: '' }] })}>
                Add tier
              </button>
            </fieldset>
            <fieldset className="rows">
              <legend>Contract rates (replace the tiers for their calls)</legend>
              {draft.rates.map((rate, index) => (
                <div className="inline-form" key={index}>
                  <label>
                    For
                    <select
                      value={rate.target}
                      onChange={(event) =>
                        patchRow('rates', index, { target: event.target.value as 'model' | 'provider' })
                      }
                    >
                      <option value="model">model</option>
                      <option value="provider">provider</option>
                    </select>
                  </label>
                  <label>
                    Name
                    <input
                      value={rate.name}
                      onChange={(event) => patchRow('rates', index, { name: event.target.value })}
                    />
                  </label>
                  <label>
                    Rate
                    <select
                      value={rate.kind}
                      onChange={(event) =>
                        patchRow('rates', index, { kind: event.target.value as 'percent' | 'prices' })
                      }
                    >
                      <option value="percent">percent off list</option>
                      <option value="prices">prices per million tokens</option>
                    </select>
                  </label>
                  {rate.kind === 'percent' ? (
                    <label>
                      Percent off
                      <input
                        inputMode="decimal"
                        value={rate.percent}
                        onChange={(event) => patchRow('rates', index, { percent: event.target.value })}
                      />
                    </label>
                  ) : (
                    <>
                      <label>
                        Input (USD)
                        <input
                          inputMode="decimal"
                          value={rate.inputPerMTokUsd}
                          onChange={(event) => patchRow('rates', index, { inputPerMTokUsd: event.target.value })}
                        />
                      </label>
                      <label>
                        Output (USD)
                        <input
                          inputMode="decimal"
                          value={rate.outputPerMTokUsd}
                          onChange={(event) => patchRow('rates', index, { outputPerMTokUsd: event.target.value })}
                        />
                      </label>
                    </>
                  )}
                  <button
                    type="button"
                    aria-label={`Remove rate ${index + 1}`}
                    onClick={() => patch({ rates: draft.rates.filter((_, at) => at !== index) })}
                  >
                    Remove
                  </button>
                </div>
              ))}
              <button type="button" onClick={() => patch({ rates: [...draft.rates, NEW_RATE] })}>
                Add rate
              </button>
            </fieldset>
            <label>
              Credit limit per project (USD; empty: prepaid)
              <input
                inputMode="decimal"
                value={draft.creditLimitUsd}
                onChange={(event) => patch({ creditLimitUsd: event.target.value })}
              />
            </label>
          </>
        )}
        {problem && (
          <p className="error-text" role="alert">
            {problem}
          </p>
        )}
        {save.error && <ErrorState error={save.error} what="change the plan" />}
        <FormActions submit="Save plan" pending={save.isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
