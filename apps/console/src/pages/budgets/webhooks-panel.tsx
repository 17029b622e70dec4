import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { Budget, Page, WebhookEndpoint, WebhookWithSecret } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { Dialog, FormActions } from '../../ui/dialog';
import { SecretOnce } from '../../ui/secret-once';
import { Empty, ErrorState, Loading } from '../../ui/states';
import type { ScopeNames } from './budget-labels';
import { budgetLabel } from './budget-labels';
import { DeliveryLog } from './delivery-log';

const SEALED = 'Polymux keeps it sealed and signs every alert with it.';

/** The org's webhook endpoints for budget alerts: create (secret once), enable, rotate, delete, deliveries. */
export function WebhooksPanel({ orgId, budgets, names }: { orgId: string; budgets: Budget[]; names: ScopeNames }) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const canWrite = can(me, 'webhook.write');
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  const [dialog, setDialog] = useState<{ kind: 'rotate' | 'delete'; endpoint: WebhookEndpoint } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const endpoints = useQuery({
    queryKey: ['webhooks', orgId],
    queryFn: () =>
      call<Page<WebhookEndpoint>>(api.GET('/admin/v1/webhooks', { params: { query: { orgId, limit: 100 } } })),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['webhooks', orgId] });
  const toggle = useMutation({
    mutationFn: (endpoint: WebhookEndpoint) =>
      call<WebhookEndpoint>(
        api.PATCH('/admin/v1/webhooks/{endpointId}', {
          params: { path: { endpointId: endpoint.id } },
          body: { enabled: !endpoint.enabled },
        }),
      ),
    onSuccess: refresh,
  });
  const budgetName = (id: string | null) => {
    if (!id) return 'Every budget of the organisation';
    const budget = budgets.find((candidate) => candidate.id === id);
    return budget ? budgetLabel(budget, names) : `Budget ${id.slice(0, 8)}`;
  };
  return (
    <section aria-labelledby="webhooks-title">
      <div className="toolbar">
        <h2 id="webhooks-title">Webhooks</h2>
        {canWrite && !creating && (
          <button type="button" onClick={() => (setCreating(true), setSecret(null))}>
            Add endpoint
          </button>
        )}
      </div>
      <p className="hint">
        Budget alerts are POSTed to these URLs, signed with the endpoint's secret (
        <code>x-polymux-webhook-signature</code>
        ).
      </p>
      {secret && (
        <SecretOnce
          what="Signing secret of"
          name={secret.url}
          secret={secret.secret}
          kept={SEALED}
          onDone={() => setSecret(null)}
        />
      )}
      {creating && (
        <WebhookForm
          orgId={orgId}
          budgets={budgets}
          budgetName={budgetName}
          onCancel={() => setCreating(false)}
          onCreated={(created) => (setSecret(created), setCreating(false), refresh())}
        />
      )}
      {endpoints.isPending && <Loading what="the webhook endpoints" />}
      {endpoints.error && (
        <ErrorState error={endpoints.error} what="load the webhook endpoints" onRetry={() => endpoints.refetch()} />
      )}
      {endpoints.data && endpoints.data.data.length === 0 && (
        <Empty title="No webhook endpoint">
          {canWrite && <p>Add one to be told when a budget reaches a threshold.</p>}
        </Empty>
      )}
      {toggle.error && <ErrorState error={toggle.error} what="change the endpoint" />}
      {endpoints.data && endpoints.data.data.length > 0 && (
        <ul className="endpoints">
          {endpoints.data.data.map((endpoint) => (
            <li key={endpoint.id} className="card" data-endpoint-id={endpoint.id}>
              <div className="toolbar">
                <div>
                  <h3>
                    <code>{endpoint.url}</code>
                  </h3>
                  <p className="hint">
                    {budgetName(endpoint.budgetId)} · {endpoint.enabled ? 'Enabled' : 'Disabled'} · secret{' '}
                    <code>{endpoint.secretPrefix}…</code>
                  </p>
                </div>
                <div className="row-actions">
                  <button
                    type="button"
                    aria-expanded={open === endpoint.id}
                    onClick={() => setOpen(open === endpoint.id ? null : endpoint.id)}
                  >
                    Deliveries
                  </button>
                  {canWrite && (
                    <>
                      <button type="button" disabled={toggle.isPending} onClick={() => toggle.mutate(endpoint)}>
                        {endpoint.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button type="button" onClick={() => setDialog({ kind: 'rotate', endpoint })}>
                        Rotate secret
                      </button>
                      <button type="button" className="danger" onClick={() => setDialog({ kind: 'delete', endpoint })}>
                        Delete
                      </button>
                    </>
                  )}
                </div>
              </div>
              {open === endpoint.id && <DeliveryLog endpoint={endpoint} budgets={budgets} names={names} />}
            </li>
          ))}
        </ul>
      )}
      {dialog && (
        <EndpointDialog
          kind={dialog.kind}
          endpoint={dialog.endpoint}
          onClose={() => setDialog(null)}
          onRotated={(rotated) => (setSecret(rotated), setDialog(null))}
          onDeleted={() => (setDialog(null), refresh())}
        />
      )}
    </section>
  );
}

function WebhookForm({
  orgId,
  budgets,
  budgetName,
  onCancel,
  onCreated,
}: {
  orgId: string;
  budgets: Budget[];
  budgetName: (id: string | null) => string;
  onCancel: () => void;
  onCreated: (created: WebhookWithSecret) => void;
}) {
  const [url, setUrl] = useState('');
  const [budgetId, setBudgetId] = useState('');
  const create = useMutation({
    mutationFn: () =>
      call<WebhookWithSecret>(
        api.POST('/admin/v1/webhooks', { body: { orgId, url: url.trim(), budgetId: budgetId || null } }),
      ),
    onSuccess: onCreated,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="key-form" onSubmit={submit}>
      <label>
        Endpoint URL
        <input
          type="url"
          required
          value={url}
          placeholder="https://hooks.example.com/polymux"
          onChange={(event) => setUrl(event.target.value)}
        />
      </label>
      <label>
        Alerts of
        <select value={budgetId} onChange={(event) => setBudgetId(event.target.value)}>
          <option value="">{budgetName(null)}</option>
          {budgets.map((budget) => (
            <option key={budget.id} value={budget.id}>
              {budgetName(budget.id)}
            </option>
          ))}
        </select>
      </label>
      <p className="hint">https to a public address; plain http only to this machine, when the gateway allows it.</p>
      {create.error && <ErrorState error={create.error} what="add the endpoint" />}
      <FormActions submit="Add endpoint" pending={create.isPending} onCancel={onCancel} />
    </form>
  );
}

function EndpointDialog({
  kind,
  endpoint,
  onClose,
  onRotated,
  onDeleted,
}: {
  kind: 'rotate' | 'delete';
  endpoint: WebhookEndpoint;
  onClose: () => void;
  onRotated: (rotated: WebhookWithSecret) => void;
  onDeleted: () => void;
}) {
  const path = { params: { path: { endpointId: endpoint.id } } };
  const act = useMutation({
    mutationFn: () =>
      kind === 'rotate'
        ? call<WebhookWithSecret>(api.POST('/admin/v1/webhooks/{endpointId}/rotate-secret', path))
        : call<WebhookEndpoint>(api.DELETE('/admin/v1/webhooks/{endpointId}', path)),
    onSuccess: (answer) => (kind === 'rotate' ? onRotated(answer as WebhookWithSecret) : onDeleted()),
  });
  return (
    <Dialog title={kind === 'rotate' ? 'Rotate the signing secret?' : 'Delete the endpoint?'} onClose={onClose}>
      <p>
        <code>{endpoint.url}</code>
      </p>
      <p>
        {kind === 'rotate'
          ? 'Every alert from now on is signed with the new secret; update the receiver with it.'
          : 'It gets no more alerts, and its delivery log is deleted with it.'}
      </p>
      {act.error && (
        <ErrorState error={act.error} what={kind === 'rotate' ? 'rotate the secret' : 'delete the endpoint'} />
      )}
      <div className="actions">
        <button
          type="button"
          className={kind === 'delete' ? 'danger' : 'primary'}
          disabled={act.isPending}
          onClick={() => act.mutate()}
        >
          {kind === 'rotate' ? 'Rotate secret' : 'Delete endpoint'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
