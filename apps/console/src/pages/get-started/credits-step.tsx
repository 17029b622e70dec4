import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { Balance, Project } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { ErrorState, Loading } from '../../ui/states';

/** The project's balance (who may read it) and a top-up (the instance operator only). */
export function CreditsStep({ project }: { project: Project }) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState('10.00');
  const balance = useQuery({
    queryKey: ['balance', project.id],
    queryFn: () =>
      call<Balance>(api.GET('/admin/v1/projects/{projectId}/balance', { params: { path: { projectId: project.id } } })),
    enabled: can(me, 'credits.read'),
  });
  const topUp = useMutation({
    mutationFn: (amountUsd: string) =>
      call<Balance>(
        api.POST('/admin/v1/projects/{projectId}/credits', {
          params: { path: { projectId: project.id } },
          body: { amountUsd },
          // One top-up per click: a retried request with this key is applied once.
          headers: { 'idempotency-key': crypto.randomUUID() },
        }),
      ),
    onSuccess: (next) => queryClient.setQueryData(['balance', project.id], next),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    topUp.mutate(amount);
  };
  return (
    <>
      {!can(me, 'credits.read') && <p>Your roles do not show the balance; a billing admin or owner can.</p>}
      {balance.isPending && can(me, 'credits.read') && <Loading what="the balance" />}
      {balance.error && <ErrorState error={balance.error} what="load the balance" onRetry={() => balance.refetch()} />}
      {balance.data && (
        <p>
          Balance of {project.name}: <strong data-testid="balance">${balance.data.balanceUsd}</strong>
          {balance.data.reservedUsd !== '0' && <> (${balance.data.reservedUsd} reserved by calls in flight)</>}
        </p>
      )}
      {can(me, 'credits.write') ? (
        <form className="inline-form" onSubmit={submit}>
          <label>
            Amount (USD)
            <input
              inputMode="decimal"
              pattern="\d+(\.\d{1,9})?"
              required
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
            />
          </label>
          <button type="submit" disabled={topUp.isPending}>
            Top up
          </button>
          {topUp.error && <ErrorState error={topUp.error} what="top up" />}
        </form>
      ) : (
        <p className="hint">Credits are added by the instance operator: ask yours to top up {project.name}.</p>
      )}
    </>
  );
}
