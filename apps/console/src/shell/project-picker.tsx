import { useCallback, useEffect } from 'react';
import { useSearchParams } from 'react-router';

import { PICKER_LIMIT, useOrgs, useProjects } from '../api/queries';
import type { Me, Project } from '../api/types';
import { useAuth } from '../auth/auth';
import { Empty, ErrorState, Loading } from '../ui/states';

/**
 * The organisation and project a page works on, kept in the URL (`?org=&project=`) so a link or a
 * reload keeps them, and the navigation carries them from page to page. A user's organisation is
 * their own; the operator picks one.
 */
export const useProjectSelection = () => {
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const orgs = useOrgs(!!me?.operator);
  const orgId = me?.org?.id ?? params.get('org') ?? orgs.data?.data[0]?.id;
  const projects = useProjects(orgId);
  const projectId = params.get('project') ?? projects.data?.data[0]?.id;
  const project: Project | undefined = projects.data?.data.find((candidate) => candidate.id === projectId);
  const choose = useCallback(
    (name: 'org' | 'project', value: string) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          next.set(name, value);
          if (name === 'org') next.delete('project');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return { orgId, orgs, projects, project, choose };
};

type Selection = ReturnType<typeof useProjectSelection>;

/** The operator's choice of organisation; nothing for a user (they work in their own). */
function OrgSelect({ selection: { orgId, orgs, choose } }: { selection: Selection }) {
  const { me } = useAuth();
  if (!me?.operator) return null;
  return (
    <label>
      Organisation
      <select value={orgId ?? ''} onChange={(event) => choose('org', event.target.value)}>
        {orgs.data?.data.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The states of the operator's organisation list: loading, failed, none yet; null once there is one to pick. */
const orgStates = (me: Me | undefined, orgs: Selection['orgs']) => {
  if (me?.operator && orgs.isPending) return <Loading what="organisations" />;
  if (orgs.error) return <ErrorState error={orgs.error} what="load the organisations" onRetry={() => orgs.refetch()} />;
  if (me?.operator && orgs.data?.data.length === 0)
    return (
      <Empty title="No organisation yet">
        <p>
          Create one with <code>POST /admin/v1/orgs</code>, then a project in it.
        </p>
      </Empty>
    );
  return null;
};

/** For an organisation's page: the operator picks the organisation. */
export function OrgPicker({ selection }: { selection: Selection }) {
  const { me } = useAuth();
  const states = orgStates(me, selection.orgs);
  if (states) return states;
  if (!me?.operator) return null;
  return (
    <div className="picker">
      <OrgSelect selection={selection} />
      {selection.orgs.data?.nextCursor && <p className="hint">Showing the first {PICKER_LIMIT}.</p>}
    </div>
  );
}

export function ProjectPicker({ selection }: { selection: Selection }) {
  const { me } = useAuth();
  const { orgId, orgs, projects, project, choose } = selection;
  const selectedProject = project?.id;
  useEffect(() => {
    // A project id in the URL that is not one of the org's: fall back to the first.
    if (projects.data && !project && projects.data.data[0]) choose('project', projects.data.data[0].id);
  }, [projects.data, project, choose]);
  const states = orgStates(me, orgs);
  if (states) return states;
  return (
    <div className="picker">
      <OrgSelect selection={selection} />
      {projects.isPending && <Loading what="projects" />}
      {projects.error && (
        <ErrorState error={projects.error} what="load the projects" onRetry={() => projects.refetch()} />
      )}
      {projects.data && projects.data.data.length === 0 && (
        <Empty title="No project in this organisation">
          <p>
            An owner or admin creates one with <code>POST /admin/v1/orgs/{orgId}/projects</code>.
          </p>
        </Empty>
      )}
      {projects.data && projects.data.data.length > 0 && (
        <label>
          Project
          <select value={selectedProject ?? ''} onChange={(event) => choose('project', event.target.value)}>
            {projects.data.data.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {(projects.data?.nextCursor || orgs.data?.nextCursor) && (
        <p className="hint">Showing the first {PICKER_LIMIT}.</p>
      )}
    </div>
  );
}
