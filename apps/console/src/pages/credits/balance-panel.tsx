import { useQuery } from '@tanstack/react-query';

import { api, call } from '../../api/client';
import type { Balance, Project } from '../../api/types';
import { formatUsd } from '../../ui/money';
import { ErrorState, Loading } from '../../ui/states';

export const balanceQuery = (projectId: string) => ({
  queryKey: ['balance', projectId],
  queryFn: () => call<Balance>(api.GET('/admin/v1/projects/{projectId}/balance', { params: { path: { projectId } } })),
});

/** The project's balance, what calls in flight hold of it, and what is left to spend. */
export function BalancePanel({ project }: { project: Project }) {
  const balance = useQuery(balanceQuery(project.id));
  return (
    <section aria-labelledby="balance-title">
      <h2 id="balance-title">Balance of {project.name}</h2>
      {balance.isPending && <Loading what="the balance" />}
      {balance.error && <ErrorState error={balance.error} what="load the balance" onRetry={() => balance.refetch()} />}
      {balance.data && (
        <dl className="balance-figures">
          <div>
            <dt>Balance</dt>
            <dd data-testid="balance">{formatUsd(balance.data.balanceNanoUsd)}</dd>
          </div>
          <div>
            <dt>Held by calls in flight</dt>
            <dd data-testid="held">{formatUsd(balance.data.reservedNanoUsd)}</dd>
          </div>
          <div>
            <dt>Available</dt>
            <dd>{formatUsd(BigInt(balance.data.balanceNanoUsd) - BigInt(balance.data.reservedNanoUsd))}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
