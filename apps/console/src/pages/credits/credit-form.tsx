import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { Balance, Project } from '../../api/types';
import { formatUsd, parseUsd } from '../../ui/money';
import { ErrorState } from '../../ui/states';

export type Movement = 'top-up' | 'grant' | 'refund' | 'adjustment';

const MOVEMENTS: Record<Movement, { label: string; hint: string }> = {
  'top-up': { label: 'Top up', hint: 'Paid credit, added to the balance.' },
  grant: { label: 'Grant', hint: 'Promotional credit, spent before paid credit; it may expire.' },
  refund: { label: 'Refund', hint: 'Gives back up to what one request was charged, as paid credit.' },
  adjustment: { label: 'Adjustment', hint: 'A signed correction: "5.00" adds, "-1.50" takes.' },
};

interface Fields {
  amount: string;
  reason: string;
  requestId: string;
  expiresAt: string;
}

type Answer = Balance & { applied: boolean };

/** The request each movement is: its path and body (amounts as typed, checked first). */
const send = (projectId: string, movement: Movement, fields: Fields) => {
  const options = {
    params: { path: { projectId } },
    // One movement per submit: a retried request with this key is applied once.
    headers: { 'idempotency-key': crypto.randomUUID() },
  };
  const amountUsd = fields.amount.trim();
  const reason = fields.reason.trim();
  switch (movement) {
    case 'top-up':
      return api.POST('/admin/v1/projects/{projectId}/credits', { ...options, body: { amountUsd } });
    case 'grant':
      return api.POST('/admin/v1/projects/{projectId}/grants', {
        ...options,
        body: {
          amountUsd,
          reason,
          ...(fields.expiresAt ? { expiresAt: new Date(fields.expiresAt).toISOString() } : {}),
        },
      });
    case 'refund':
      return api.POST('/admin/v1/projects/{projectId}/refunds', {
        ...options,
        body: { amountUsd, reason, requestId: fields.requestId.trim() },
      });
    case 'adjustment':
      return api.POST('/admin/v1/projects/{projectId}/adjustments', { ...options, body: { amountUsd, reason } });
  }
};

/** What is wrong with the fields before anything is sent, or null. */
export const problemOf = (movement: Movement, fields: Fields): string | null => {
  const amount = parseUsd(fields.amount, { signed: movement === 'adjustment' });
  if (amount === null)
    return movement === 'adjustment'
      ? 'Enter a signed amount such as 5.00 or -1.50 (at most nine decimals).'
      : 'Enter a positive amount such as 10.00 (at most nine decimals).';
  if (amount === 0n || (movement !== 'adjustment' && amount < 0n)) return 'The amount must not be zero.';
  if (movement !== 'top-up' && !fields.reason.trim()) return 'Give a reason: the ledger and the audit trail keep it.';
  if (movement === 'refund' && !fields.requestId.trim()) return 'Name the request to refund (its x-request-id).';
  if (movement === 'grant' && fields.expiresAt && !(Date.parse(fields.expiresAt) > Date.now()))
    return 'A grant expires in the future.';
  return null;
};

/** The instance operator's credit movements on a project: top-ups, grants, refunds, adjustments. */
export function CreditForm({ project }: { project: Project }) {
  const queryClient = useQueryClient();
  const [movement, setMovement] = useState<Movement>('top-up');
  const [fields, setFields] = useState<Fields>({ amount: '10.00', reason: '', requestId: '', expiresAt: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const apply = useMutation({
    mutationFn: () => call<Answer>(send(project.id, movement, fields)),
    onSuccess: (answer) => {
      queryClient.setQueryData(['balance', project.id], answer);
      void queryClient.invalidateQueries({ queryKey: ['ledger', project.id] });
      void queryClient.invalidateQueries({ queryKey: ['statement'] });
    },
  });
  const set = (name: keyof Fields) => (event: { target: { value: string } }) =>
    setFields((current) => ({ ...current, [name]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = problemOf(movement, fields);
    setProblem(found);
    if (!found) apply.mutate();
  };
  return (
    <section aria-labelledby="credit-form-title">
      <h2 id="credit-form-title">Add or correct credit</h2>
      <form className="credit-form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>Movement</legend>
          {(Object.keys(MOVEMENTS) as Movement[]).map((name) => (
            <label key={name} className="check">
              <input
                type="radio"
                name="movement"
                value={name}
                checked={movement === name}
                onChange={() => (setMovement(name), setProblem(null), apply.reset())}
              />
              {MOVEMENTS[name].label}
            </label>
          ))}
        </fieldset>
        <p className="hint">{MOVEMENTS[movement].hint}</p>
        <div className="inline-form">
          <label>
            Amount (USD)
            <input
              inputMode="decimal"
              value={fields.amount}
              onChange={set('amount')}
              aria-describedby={problem ? 'credit-problem' : undefined}
            />
          </label>
          {movement === 'refund' && (
            <label>
              Request id
              <input value={fields.requestId} onChange={set('requestId')} />
            </label>
          )}
          {movement === 'grant' && (
            <label>
              Expires (optional)
              <input type="datetime-local" value={fields.expiresAt} onChange={set('expiresAt')} />
            </label>
          )}
          {movement !== 'top-up' && (
            <label className="grow">
              Reason
              <input value={fields.reason} maxLength={500} onChange={set('reason')} />
            </label>
          )}
          <button type="submit" className="primary" disabled={apply.isPending}>
            {MOVEMENTS[movement].label}
          </button>
        </div>
        {problem && (
          <p id="credit-problem" className="error-text" role="alert">
            {problem}
          </p>
        )}
        {apply.error && <ErrorState error={apply.error} what={MOVEMENTS[movement].label.toLowerCase()} />}
        {apply.data && (
          <p role="status">
            {apply.data.applied ? 'Applied' : 'Already applied (the same request was sent before)'}: the balance is{' '}
            {formatUsd(apply.data.balanceNanoUsd)}.
          </p>
        )}
      </form>
    </section>
  );
}
