import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { UseQueryResult } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import { PICKER_LIMIT } from '../../api/queries';
import type { Page, Project, Team } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { Empty, ErrorState, Loading } from '../../ui/states';

const date = (iso: string) => new Date(iso).toLocaleDateString();

/** The teams of the organisation the principal may see, their projects counted; a new team for owners and admins. */
export function TeamsSection({
  orgId,
  teams,
  projects,
}: {
  orgId: string;
  teams: UseQueryResult<Page<Team>>;
  projects: readonly Project[];
}) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () =>
      call<Team>(api.POST('/admin/v1/orgs/{orgId}/teams', { params: { path: { orgId } }, body: { name } })),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['teams', orgId] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="teams-title">
      <h2 id="teams-title">Teams</h2>
      {teams.isPending && <Loading what="teams" />}
      {teams.error && <ErrorState error={teams.error} what="load the teams" onRetry={() => teams.refetch()} />}
      {teams.data && teams.data.data.length === 0 && (
        <Empty title="No team yet">
          <p>Teams group projects and people: a team role holds only in its team.</p>
        </Empty>
      )}
      {teams.data && teams.data.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Team table">
          <table>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Projects</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {teams.data.data.map((team) => (
                <tr key={team.id}>
                  <th scope="row">{team.name}</th>
                  <td>{projects.filter((project) => project.team_id === team.id).length}</td>
                  <td>{date(team.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {teams.data?.nextCursor && <p className="hint">Showing the first {PICKER_LIMIT}.</p>}
      {can(me, 'team.write') && (
        <form className="inline-form" onSubmit={submit} aria-label="New team">
          <label>
            New team name
            <input required maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create team
          </button>
        </form>
      )}
      {create.error && <ErrorState error={create.error} what="create the team" />}
    </section>
  );
}
