import { useQuery } from '@tanstack/react-query';

import { api, call } from '../../api/client';
import type { AuditRecord, Budget, Page } from '../../api/types';
import { formatUsd } from '../../ui/money';
import { Empty, ErrorState, Loading } from '../../ui/states';
import type { ScopeNames } from './budget-labels';
import { scopeLabel } from './budget-labels';

const ACTION = 'billing.budget.threshold_crossed';
const LIMIT = 50;

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * The org's latest budget alerts: the audit facts billing records for the call that took a budget
 * to a threshold (`billing.budget.threshold_crossed`), newest first.
 */
export function AlertHistory({ orgId, budgets, names }: { orgId: string; budgets: Budget[]; names: ScopeNames }) {
  const alerts = useQuery({
    queryKey: ['budget-alerts', orgId],
    queryFn: () =>
      call<Page<AuditRecord>>(
        api.GET('/admin/v1/audit', { params: { query: { orgId, action: ACTION, limit: LIMIT } } }),
      ),
  });
  const budgetOf = (record: AuditRecord) => budgets.find((budget) => `budget:${budget.id}` === record.target);
  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alert history</h2>
      <p className="hint">Each threshold a budget reached, once a period, with the call that reached it.</p>
      {alerts.isPending && <Loading what="the alerts" />}
      {alerts.error && <ErrorState error={alerts.error} what="load the alerts" onRetry={() => alerts.refetch()} />}
      {alerts.data && alerts.data.data.length === 0 && (
        <Empty title="No alert yet">
          <p>When a budget's spend reaches one of its thresholds, it is listed here.</p>
        </Empty>
      )}
      {alerts.data && alerts.data.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Budget alerts">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Budget</th>
                <th scope="col">Threshold</th>
                <th scope="col" className="number">
                  Spent then
                </th>
                <th scope="col">Call</th>
              </tr>
            </thead>
            <tbody>
              {alerts.data.data.map((record) => {
                const budget = budgetOf(record);
                const scope = text(record.metadata.scope);
                const scopeId = text(record.metadata.scopeId);
                const spent = text(record.metadata.spentNanoUsd);
                return (
                  <tr key={record.id}>
                    <td>{new Date(record.occurredAt).toLocaleString()}</td>
                    <th scope="row">
                      {budget
                        ? scopeLabel(budget, names)
                        : scope && scopeId
                          ? `${scope} ${scopeId.slice(0, 8)} (deleted budget)`
                          : record.target}
                    </th>
                    <td>{String(record.metadata.thresholdPercent ?? '—')}%</td>
                    <td className="number">{spent && /^-?\d+$/.test(spent) ? formatUsd(spent) : '—'}</td>
                    <td>{record.requestId ? <code>{record.requestId}</code> : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {alerts.data?.nextCursor && <p className="hint">The latest {LIMIT}; the audit trail has them all.</p>}
    </section>
  );
}
