import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';

import { api, call } from '../../api/client';
import { PICKER_LIMIT, useOrgs } from '../../api/queries';
import type { Budget, Page, Team } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { ProjectPicker, useProjectSelection } from '../../shell/project-picker';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { AlertHistory } from './alert-history';
import { DeleteBudgetDialog, EditBudgetDialog } from './budget-dialogs';
import { BudgetForm } from './budget-form';
import { budgetLabel } from './budget-labels';
import { BudgetList } from './budget-list';
import { WebhooksPanel } from './webhooks-panel';

/** Spend moves with every settled call: the page reads the budgets again while it is open. */
const REFRESH_MS = 15_000;

/**
 * Budgets and alerts: an org's budgets at every level with their period's spend, created and
 * changed by who may; the webhook endpoints alerts go to with their deliveries; the alert history.
 */
export default function BudgetsPage() {
  const { me } = useAuth();
  const selection = useProjectSelection();
  const { orgId, project } = selection;
  const orgs = useOrgs(!!me?.operator);
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<{ kind: 'edit' | 'delete'; budget: Budget } | null>(null);
  const budgets = useQuery({
    queryKey: ['budgets', orgId],
    queryFn: () =>
      call<Page<Budget>>(api.GET('/admin/v1/budgets', { params: { query: { orgId: orgId!, limit: 1000 } } })),
    enabled: !!orgId,
    refetchInterval: REFRESH_MS,
  });
  const teams = useQuery({
    queryKey: ['teams', orgId],
    queryFn: () =>
      call<Page<Team>>(
        api.GET('/admin/v1/orgs/{orgId}/teams', {
          params: { path: { orgId: orgId! }, query: { limit: PICKER_LIMIT } },
        }),
      ),
    enabled: !!orgId && can(me, 'team.read'),
  });
  const orgName = me?.org?.name ?? orgs.data?.data.find((org) => org.id === orgId)?.name ?? 'the organisation';
  const projects = selection.projects.data?.data ?? [];
  const names = useMemo(
    () =>
      new Map<string, string>([
        ...(orgId ? [[orgId, orgName] as [string, string]] : []),
        ...(teams.data?.data ?? []).map((team): [string, string] => [team.id, team.name]),
        ...projects.map((candidate): [string, string] => [candidate.id, candidate.name]),
      ]),
    [orgId, orgName, teams.data, projects],
  );
  const canWrite = can(me, 'budget.write');
  const list = budgets.data?.data ?? [];
  return (
    <article className="page">
      <h1>Budgets and alerts</h1>
      <ProjectPicker selection={selection} />
      {orgId && (
        <>
          <section aria-labelledby="budgets-title">
            <div className="toolbar">
              <h2 id="budgets-title">Budgets</h2>
              <div className="actions">
                <button type="button" onClick={() => void budgets.refetch()} disabled={budgets.isFetching}>
                  Refresh
                </button>
                {canWrite && !creating && (
                  <button type="button" className="primary" onClick={() => setCreating(true)}>
                    New budget
                  </button>
                )}
              </div>
            </div>
            {creating && (
              <BudgetForm
                orgId={orgId}
                orgName={orgName}
                projects={projects}
                teams={teams.data?.data ?? []}
                defaultProject={project}
                onCancel={() => setCreating(false)}
                onCreated={() => setCreating(false)}
              />
            )}
            {budgets.isPending && <Loading what="the budgets" />}
            {budgets.error && (
              <ErrorState error={budgets.error} what="load the budgets" onRetry={() => budgets.refetch()} />
            )}
            {budgets.data && list.length === 0 && (
              <Empty title="No budget yet">
                <p>
                  {canWrite
                    ? 'Create one with “New budget”: for the organisation, a team, a project, a key or a user.'
                    : 'An owner, admin, billing admin or team admin sets budgets.'}
                </p>
              </Empty>
            )}
            {list.length > 0 && (
              <BudgetList
                budgets={list}
                names={names}
                canWrite={canWrite}
                onEdit={(budget) => setDialog({ kind: 'edit', budget })}
                onDelete={(budget) => setDialog({ kind: 'delete', budget })}
              />
            )}
          </section>
          {can(me, 'webhook.read') && <WebhooksPanel orgId={orgId} budgets={list} names={names} />}
          {can(me, 'audit.read') && <AlertHistory orgId={orgId} budgets={list} names={names} />}
          {!can(me, 'audit.read') && (
            <p className="hint">
              The alert history is in the audit trail, which owners and auditors read
              {can(me, 'webhook.read') ? '; each endpoint’s deliveries above show the alerts it was sent.' : '.'}
            </p>
          )}
        </>
      )}
      {dialog?.kind === 'edit' && (
        <EditBudgetDialog
          budget={dialog.budget}
          label={budgetLabel(dialog.budget, names)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteBudgetDialog
          budget={dialog.budget}
          label={budgetLabel(dialog.budget, names)}
          onClose={() => setDialog(null)}
        />
      )}
    </article>
  );
}
