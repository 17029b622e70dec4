import { useQuery } from '@tanstack/react-query';

import { api, call } from '../../api/client';
import type { Budget, Page, WebhookDelivery, WebhookEndpoint } from '../../api/types';
import { Empty, ErrorState, Loading } from '../../ui/states';
import type { ScopeNames } from './budget-labels';
import { scopeLabel } from './budget-labels';

/** A delivery id, `<budget id>:<period start ms>:<percent>`, read back: which budget, period and threshold. */
export const alertOf = (deliveryId: string) => {
  const match = /^(.+):(\d+):(\d+)$/.exec(deliveryId);
  return match ? { budgetId: match[1]!, periodStart: new Date(Number(match[2])), percent: Number(match[3]) } : null;
};

const STATUS: Record<WebhookDelivery['status'], string> = {
  pending: 'Retrying',
  delivered: 'Delivered',
  failed: 'Failed',
};

/** An endpoint's latest deliveries, newest first: which alert, its state, attempts and last answer. */
export function DeliveryLog({
  endpoint,
  budgets,
  names,
}: {
  endpoint: WebhookEndpoint;
  budgets: Budget[];
  names: ScopeNames;
}) {
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpoint.id],
    queryFn: () =>
      call<Page<WebhookDelivery>>(
        api.GET('/admin/v1/webhooks/{endpointId}/deliveries', { params: { path: { endpointId: endpoint.id } } }),
      ),
  });
  if (deliveries.isPending) return <Loading what="the deliveries" />;
  if (deliveries.error)
    return <ErrorState error={deliveries.error} what="load the deliveries" onRetry={() => deliveries.refetch()} />;
  if (deliveries.data.data.length === 0)
    return (
      <Empty title="Nothing delivered yet">
        <p>An alert is sent when a budget's spend reaches a threshold.</p>
      </Empty>
    );
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`Deliveries to ${endpoint.url}`}>
      <table>
        <thead>
          <tr>
            <th scope="col">Sent</th>
            <th scope="col">Alert</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.data.data.map((delivery) => {
            const alert = alertOf(delivery.id);
            const budget = alert && budgets.find((candidate) => candidate.id === alert.budgetId);
            return (
              <tr key={delivery.id} data-delivery-status={delivery.status}>
                <td>{new Date(delivery.createdAt).toLocaleString()}</td>
                <th scope="row">
                  {alert
                    ? `${alert.percent}% of ${budget ? scopeLabel(budget, names) : `budget ${alert.budgetId.slice(0, 8)}`}`
                    : delivery.id}
                </th>
                <td>{STATUS[delivery.status]}</td>
                <td>{delivery.attempts}</td>
                <td>{delivery.lastError ?? (delivery.lastStatusCode ? `HTTP ${delivery.lastStatusCode}` : '—')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
