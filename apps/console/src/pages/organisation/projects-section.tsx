import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { UseQueryResult } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useId, useState } from 'react';

import { api, call } from '../../api/client';
import { PICKER_LIMIT } from '../../api/queries';
import type { Page, Project, Team } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { canIn, placesOf } from '../../auth/permissions';
import { Empty, ErrorState, Loading } from '../../ui/states';

const date = (iso: string) => new Date(iso).toLocaleDateString();

/**
 * The organisation's projects the principal may see: their team and whether providers may retain
 * their data. Creation and the retention switch where the principal holds `project.write` (a team
 * admin: in their team).
 */
export function ProjectsSection({
  orgId,
  projects,
  teams,
}: {
  orgId: string;
  projects: UseQueryResult<Page<Project>>;
  teams: readonly Team[];
}) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  const writable = placesOf(me, 'project.write');
  const creatableIn = teams.filter((team) => writable.all || writable.teams.has(team.id));
  const retention = useMutation({
    mutationFn: ({ id, dataRetention }: { id: string; dataRetention: boolean }) =>
      call<Project>(
        api.PATCH('/admin/v1/projects/{projectId}', { params: { path: { projectId: id } }, body: { dataRetention } }),
      ),
    onSuccess: (changed) => {
      queryClient.setQueriesData<Page<Project>>(
        { queryKey: ['projects', orgId] },
        (page) =>
          page && { ...page, data: page.data.map((project) => (project.id === changed.id ? changed : project)) },
      );
    },
  });
  // While a change is on its way, the switch shows what was asked (set in the event, so at once).
  const [asked, setAsked] = useState<ReadonlyMap<string, boolean>>(new Map());
  const retained = (project: Project) => asked.get(project.id) ?? project.data_retention;
  const switchRetention = (id: string, dataRetention: boolean) => {
    setAsked((current) => new Map(current).set(id, dataRetention));
    retention.mutate(
      { id, dataRetention },
      {
        onSettled: () =>
          setAsked((current) => {
            const next = new Map(current);
            next.delete(id);
            return next;
          }),
      },
    );
  };
  return (
    <section aria-labelledby="projects-title">
      <h2 id="projects-title">Projects</h2>
      {projects.isPending && <Loading what="projects" />}
      {projects.error && (
        <ErrorState error={projects.error} what="load the projects" onRetry={() => projects.refetch()} />
      )}
      {projects.data && projects.data.data.length === 0 && <Empty title="No project in this organisation yet" />}
      {projects.data && projects.data.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Project table">
          <table>
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Team</th>
                <th scope="col">Data retention</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {projects.data.data.map((project) => (
                <tr key={project.id}>
                  <th scope="row">{project.name}</th>
                  <td>{project.team_id ? (teamName.get(project.team_id) ?? '—') : 'No team'}</td>
                  <td>
                    {canIn(me, 'project.write', project.team_id) ? (
                      <label className="switch">
                        <input
                          type="checkbox"
                          checked={retained(project)}
                          disabled={retention.isPending}
                          onChange={(event) => switchRetention(project.id, event.target.checked)}
                          aria-label={`Providers may retain the data of ${project.name}`}
                        />
                        {retained(project) ? 'Allowed' : 'Off (zero retention)'}
                      </label>
                    ) : project.data_retention ? (
                      'Allowed'
                    ) : (
                      'Off (zero retention)'
                    )}
                  </td>
                  <td>{date(project.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {projects.data?.nextCursor && <p className="hint">Showing the first {PICKER_LIMIT}.</p>}
      {retention.error && <ErrorState error={retention.error} what="change the data retention" />}
      {(writable.all || creatableIn.length > 0) && (
        <CreateProjectForm orgId={orgId} teams={creatableIn} withoutTeam={writable.all} />
      )}
    </section>
  );
}

function CreateProjectForm({
  orgId,
  teams,
  withoutTeam,
}: {
  orgId: string;
  teams: readonly Team[];
  withoutTeam: boolean;
}) {
  const queryClient = useQueryClient();
  const teamSelect = useId();
  const [name, setName] = useState('');
  const [teamId, setTeamId] = useState(withoutTeam ? '' : (teams[0]?.id ?? ''));
  const [dataRetention, setDataRetention] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      call<Project>(
        api.POST('/admin/v1/orgs/{orgId}/projects', {
          params: { path: { orgId } },
          body: { name, ...(teamId ? { teamId } : {}), ...(dataRetention ? { dataRetention } : {}) },
        }),
      ),
    onSuccess: () => {
      setName('');
      setDataRetention(false);
      void queryClient.invalidateQueries({ queryKey: ['projects', orgId] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="New project">
      <label>
        New project name
        <input required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      {/* Labelled by id, not wrapped: a wrapping label's name would take in the chosen option. */}
      <div className="field">
        <label htmlFor={teamSelect}>Team</label>
        <select id={teamSelect} value={teamId} onChange={(event) => setTeamId(event.target.value)}>
          {withoutTeam && <option value="">No team</option>}
          {teams.map((team) => (
            <option key={team.id} value={team.id}>
              {team.name}
            </option>
          ))}
        </select>
      </div>
      <label className="check">
        <input type="checkbox" checked={dataRetention} onChange={(event) => setDataRetention(event.target.checked)} />
        Providers may retain its data
      </label>
      <button type="submit" className="primary" disabled={create.isPending}>
        Create project
      </button>
      {create.error && <ErrorState error={create.error} what="create the project" />}
    </form>
  );
}
