import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { Budget } from '../../api/types';
import { Dialog, FormActions } from '../../ui/dialog';
import { ErrorState } from '../../ui/states';
import type { BudgetLimits } from './budget-form';
import { LimitFields, limitsOf } from './budget-form';

/** Changes the amount, the hard limit (empty removes it) or the thresholds; scope, period and zone stay. */
export function EditBudgetDialog({ budget, label, onClose }: { budget: Budget; label: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [limits, setLimits] = useState<BudgetLimits>({
    amountUsd: budget.amountUsd,
    hardLimitUsd: budget.hardLimitUsd ?? '',
    thresholds: budget.thresholds.join(', '),
  });
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: { amountUsd: string; hardLimitUsd: string | null; thresholds: number[] }) =>
      call<Budget>(api.PATCH('/admin/v1/budgets/{budgetId}', { params: { path: { budgetId: budget.id } }, body })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['budgets', budget.orgId] });
      onClose();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = limitsOf(limits);
    if ('problem' in checked) return setProblem(checked.problem);
    setProblem(null);
    save.mutate(checked);
  };
  return (
    <Dialog title={`Change the ${label}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <LimitFields fields={limits} onChange={setLimits} />
        {problem && (
          <p className="error-text" role="alert">
            {problem}
          </p>
        )}
        {save.error && <ErrorState error={save.error} what="change the budget" />}
        <FormActions submit="Save budget" pending={save.isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

export function DeleteBudgetDialog({ budget, label, onClose }: { budget: Budget; label: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () =>
      call<Budget>(api.DELETE('/admin/v1/budgets/{budgetId}', { params: { path: { budgetId: budget.id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['budgets', budget.orgId] });
      onClose();
    },
  });
  return (
    <Dialog title={`Delete the ${label}?`} onClose={onClose}>
      <p>Its limit stops applying at once; the spend already charged stays in the ledger.</p>
      {remove.error && <ErrorState error={remove.error} what="delete the budget" />}
      <div className="actions">
        <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
          Delete budget
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
