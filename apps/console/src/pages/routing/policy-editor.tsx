import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useEffect, useState } from 'react';

import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { PolicyScope, StoredPolicy } from '../../api/types';
import { Dialog } from '../../ui/dialog';
import { ErrorState, Loading } from '../../ui/states';
import { PolicyFields } from './policy-fields';
import type { FieldError, PolicyField, PolicyFormValues } from './policy-form';
import { fieldOfParam, policyFormOf, policyOf } from './policy-form';

export interface PolicyTarget {
  scope: PolicyScope;
  scopeId: string;
  /** How the page names it: `project app`. */
  label: string;
}

const path = (target: PolicyTarget) => ({ params: { path: { scope: target.scope, scopeId: target.scopeId } } });

/** The policy attached to one level: read, or edited and removed by those who may. */
export function PolicyEditor({ target, canWrite }: { target: PolicyTarget; canWrite: boolean }) {
  // Here, not in the form: a save reloads the policy, which starts the form afresh.
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setSaved(null), [target.scope, target.scopeId]);
  const stored = useQuery({
    queryKey: ['routing-policy', target.scope, target.scopeId],
    queryFn: () =>
      call<StoredPolicy>(api.GET('/admin/v1/routing-policies/{scope}/{scopeId}', path(target))).catch((error) => {
        // No policy attached there is an answer, not a failure.
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
  });
  if (stored.isPending) return <Loading what="the policy" />;
  if (stored.error) return <ErrorState error={stored.error} what="load the policy" onRetry={() => stored.refetch()} />;
  if (!canWrite)
    return stored.data ? (
      <div>
        <p>The policy of {target.label}:</p>
        <pre data-testid="policy-json">{JSON.stringify(stored.data.policy, null, 2)}</pre>
      </div>
    ) : (
      <p>No policy is attached to {target.label}: the levels above it (or the defaults) apply.</p>
    );
  // Keyed by what was loaded, so a new answer (or another level) starts the form afresh.
  return (
    <PolicyForm
      key={`${target.scope}:${target.scopeId}:${stored.data?.updatedAt}`}
      target={target}
      stored={stored.data}
      saved={saved}
      setSaved={setSaved}
    />
  );
}

function PolicyForm({
  target,
  stored,
  saved,
  setSaved,
}: {
  target: PolicyTarget;
  stored: StoredPolicy | null;
  saved: string | null;
  setSaved: (saved: string | null) => void;
}) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<PolicyFormValues>(() => policyFormOf(stored?.policy));
  const [error, setError] = useState<FieldError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const refreshAll = () => {
    void queryClient.invalidateQueries({ queryKey: ['routing-policies'] });
    void queryClient.invalidateQueries({ queryKey: ['routing-policy', target.scope, target.scopeId] });
  };
  const save = useMutation({
    mutationFn: (policy: NonNullable<StoredPolicy['policy']>) =>
      call<StoredPolicy>(api.PUT('/admin/v1/routing-policies/{scope}/{scopeId}', { ...path(target), body: policy })),
    onSuccess: () => (setSaved(`Saved the policy of ${target.label}.`), refreshAll()),
    onError: (failure) =>
      setError(
        failure instanceof ApiError && failure.status === 400
          ? { field: fieldOfParam(failure.param), message: failure.message }
          : null,
      ),
  });
  const remove = useMutation({
    mutationFn: () => call<StoredPolicy>(api.DELETE('/admin/v1/routing-policies/{scope}/{scopeId}', path(target))),
    onSuccess: () => (setConfirming(false), setSaved(`Removed the policy of ${target.label}.`), refreshAll()),
  });
  const set = <K extends PolicyField>(name: K, value: PolicyFormValues[K]) => {
    setValues((current) => ({ ...current, [name]: value }));
    setSaved(null);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const built = policyOf(values);
    if ('error' in built) setError(built.error);
    else save.mutate(built.policy);
  };
  // A refusal the form cannot pin on a field (or not a 400) is shown whole, with what to do.
  const formError = save.error && (!(save.error instanceof ApiError) || save.error.status !== 400 || !error?.field);
  return (
    <form className="policy-form" onSubmit={submit} aria-label={`Routing policy of ${target.label}`} noValidate>
      <p>
        {stored
          ? `The policy of ${target.label}, last changed ${new Date(stored.updatedAt).toLocaleString()}.`
          : `No policy is attached to ${target.label} yet: the levels above it (or the defaults) apply. Fill in what it should restrict.`}
      </p>
      <PolicyFields values={values} set={set} error={error} />
      {error?.field && (
        <p className="error-text" role="alert">
          The policy was not saved: {error.message}. Correct the marked field and save again.
        </p>
      )}
      {formError && <ErrorState error={save.error} what="save the policy" />}
      {remove.error && <ErrorState error={remove.error} what="remove the policy" />}
      <p role="status" className="hint">
        {saved}
      </p>
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save policy'}
        </button>
        {stored && (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Remove policy
          </button>
        )}
      </div>
      {confirming && (
        <Dialog title={`Remove the policy of ${target.label}?`} onClose={() => setConfirming(false)}>
          <p>Its calls then follow the levels above it, or the defaults. The change is audited.</p>
          <div className="actions">
            <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              Remove
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </form>
  );
}
