import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { api, call } from '../../api/client';
import type { ApiKey, Page, PolicyScope, StoredPolicy } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import type { useProjectSelection } from '../../shell/project-picker';
import { Empty, ErrorState, Loading } from '../../ui/states';
import type { PolicyTarget } from './policy-editor';
import { PolicyEditor } from './policy-editor';
import { fieldsSet } from './policy-form';

const LIST_LIMIT = 100;
const LEVELS: ReadonlyArray<{ scope: PolicyScope; label: string }> = [
  { scope: 'org', label: 'Organisation' },
  { scope: 'team', label: 'Team of the project' },
  { scope: 'project', label: 'Project' },
  { scope: 'key', label: 'A key of the project' },
];

/**
 * Routing policies per level: the ones attached (that the principal may read), and the policy of
 * the organisation, the project's team, the project or one of its keys, opened for reading or editing.
 */
export function PoliciesSection({ selection }: { selection: ReturnType<typeof useProjectSelection> }) {
  const { me } = useAuth();
  const { orgId, orgs, projects, project } = selection;
  const canWrite = can(me, 'policy.write');
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const policies = useQuery({
    queryKey: ['routing-policies', cursor],
    queryFn: () =>
      call<Page<StoredPolicy>>(
        api.GET('/admin/v1/routing-policies', {
          params: { query: { limit: LIST_LIMIT, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const keys = useQuery({
    queryKey: ['keys', project?.id, 'active', 'policy-levels'],
    queryFn: () =>
      call<Page<ApiKey>>(
        api.GET('/admin/v1/projects/{projectId}/keys', {
          params: { path: { projectId: project!.id }, query: { limit: LIST_LIMIT, status: 'active' } },
        }),
      ),
    enabled: !!project && can(me, 'key.read'),
  });
  const orgName = me?.org?.name ?? orgs.data?.data.find((org) => org.id === orgId)?.name;
  const nameOf = (scope: PolicyScope, id: string): string => {
    const named =
      scope === 'org'
        ? (orgs.data?.data.find((org) => org.id === id)?.name ?? (me?.org?.id === id ? me.org.name : undefined))
        : scope === 'project'
          ? projects.data?.data.find((candidate) => candidate.id === id)?.name
          : scope === 'key'
            ? keys.data?.data.find((key) => key.id === id)?.name
            : undefined;
    return `${scope} ${named ?? id}`;
  };
  const targetOf = (scope: PolicyScope, keyId?: string): PolicyTarget | null => {
    if (scope === 'org') return orgId ? { scope, scopeId: orgId, label: `organisation ${orgName ?? orgId}` } : null;
    if (!project) return null;
    if (scope === 'team')
      return project.team_id ? { scope, scopeId: project.team_id, label: `the team of ${project.name}` } : null;
    if (scope === 'project') return { scope, scopeId: project.id, label: `project ${project.name}` };
    const key = keys.data?.data.find((candidate) => candidate.id === keyId) ?? keys.data?.data[0];
    return key ? { scope, scopeId: key.id, label: `key ${key.name}` } : null;
  };
  const [target, setTarget] = useState<PolicyTarget | null>(null);
  // Another project: its own level to start with.
  useEffect(() => setTarget(null), [project?.id]);
  const current = target ?? targetOf('project');
  const levels = LEVELS.filter(
    (level) =>
      (level.scope !== 'team' || project?.team_id) && (level.scope !== 'key' || (keys.data?.data.length ?? 0) > 0),
  );
  return (
    <section aria-labelledby="policies-title">
      <h2 id="policies-title">Routing policies</h2>
      <p className="hint">
        A key’s calls follow its organisation’s, team’s, project’s and own policies merged: restrictions add up, the
        most specific level’s preferences win (docs/routing.md).
      </p>
      {policies.isPending && <Loading what="the policies" />}
      {policies.error && (
        <ErrorState error={policies.error} what="load the policies" onRetry={() => policies.refetch()} />
      )}
      {policies.data && policies.data.data.length === 0 && cursors.length === 1 && (
        <Empty title="No routing policy attached anywhere yet">
          <p>Every call follows the defaults: cheapest capable model for auto, catalog order for a named model.</p>
        </Empty>
      )}
      {policies.data && policies.data.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Attached policies">
          <table>
            <thead>
              <tr>
                <th scope="col">Attached to</th>
                <th scope="col">Sets</th>
                <th scope="col">Changed</th>
                <th scope="col">
                  <span className="visually-hidden">Open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {policies.data.data.map((stored) => {
                const label = nameOf(stored.scope, stored.scopeId);
                return (
                  <tr key={stored.id}>
                    <th scope="row">{label}</th>
                    <td>{fieldsSet(stored.policy)}</td>
                    <td>{new Date(stored.updatedAt).toLocaleString()}</td>
                    <td>
                      <button
                        type="button"
                        aria-label={`${canWrite ? 'Edit' : 'View'} the policy of ${label}`}
                        onClick={() => setTarget({ scope: stored.scope, scopeId: stored.scopeId, label })}
                      >
                        {canWrite ? 'Edit' : 'View'}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {(cursors.length > 1 || policies.data?.nextCursor) && (
        <nav className="pager" aria-label="Policy pages">
          <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
          <button
            type="button"
            disabled={!policies.data?.nextCursor}
            onClick={() => setCursors([...cursors, policies.data!.nextCursor!])}
          >
            Next page
          </button>
        </nav>
      )}
      <h3>{canWrite ? 'Edit a level’s policy' : 'A level’s policy'}</h3>
      <div className="picker">
        <label>
          Level
          <select
            value={current && levels.some((level) => level.scope === current.scope) ? current.scope : ''}
            onChange={(event) => setTarget(targetOf(event.target.value as PolicyScope))}
          >
            {current && !levels.some((level) => level.scope === current.scope) && (
              <option value="">{current.label}</option>
            )}
            {levels.map((level) => (
              <option key={level.scope} value={level.scope}>
                {level.label}
              </option>
            ))}
          </select>
        </label>
        {current?.scope === 'key' && keys.data && (
          <label>
            Key
            <select value={current.scopeId} onChange={(event) => setTarget(targetOf('key', event.target.value))}>
              {keys.data.data.map((key) => (
                <option key={key.id} value={key.id}>
                  {key.name} ({key.prefix}…)
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {current ? (
        <PolicyEditor target={current} canWrite={canWrite} />
      ) : (
        <p>Pick a project above to open its policies.</p>
      )}
    </section>
  );
}
