import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type {
  Invitation,
  InvitationStatus,
  InvitationWithToken,
  Page,
  Project,
  RoleGrant,
  Team,
} from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can, mayTouchOwner } from '../../auth/permissions';
import { Dialog } from '../../ui/dialog';
import { Pager, useCursors } from '../../ui/pager';
import { ShownOnce } from '../../ui/secret-once';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { RoleGrantsEditor, describeRoles } from './roles';

const PAGE_SIZE = 20;
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
type Shown = InvitationStatus | 'all';

/** The console route that accepts an invitation; the token rides in the fragment, which no server sees. */
export const invitationLink = (token: string, origin = window.location.origin) =>
  `${origin}/console/invite#token=${encodeURIComponent(token)}`;

/** The projects the roles reach: every one for an org-wide role, else those of the teams given. */
export const projectsReached = (projects: readonly Project[], roles: readonly RoleGrant[]) =>
  roles.some((grant) => grant.teamId === null)
    ? projects
    : projects.filter((project) => roles.some((grant) => grant.teamId !== null && grant.teamId === project.team_id));

/**
 * Invitations: owners and admins invite someone with their roles and the project of their first
 * personal key, and get a one-time link (shown once); the pending ones are listed, and revoked.
 */
export function InvitationsSection({
  orgId,
  teams,
  projects,
}: {
  orgId: string;
  teams: readonly Team[];
  projects: readonly Project[];
}) {
  const { me } = useAuth();
  const [status, setStatus] = useState<Shown>('pending');
  const pages = useCursors(`${orgId}:${status}`);
  const [created, setCreated] = useState<InvitationWithToken | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const invitations = useQuery({
    queryKey: ['invitations', orgId, status, pages.cursor],
    queryFn: () =>
      call<Page<Invitation>>(
        api.GET('/admin/v1/orgs/{orgId}/invitations', {
          params: {
            path: { orgId },
            query: {
              limit: PAGE_SIZE,
              ...(pages.cursor ? { cursor: pages.cursor } : {}),
              ...(status === 'all' ? {} : { status }),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const canWrite = can(me, 'member.write');
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  const projectName = new Map(projects.map((project) => [project.id, project.name]));
  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations</h2>
      {canWrite && (
        <InviteForm
          orgId={orgId}
          teams={teams}
          projects={projects}
          onCreated={(invitation) => (setCreated(invitation), pages.restart())}
        />
      )}
      {created && (
        <ShownOnce
          title={`Invitation for ${created.email} — copy the link now`}
          note={`This is the only time the link is shown; Polymux keeps only its hash. Send it to ${created.email}: it works once, until ${when(created.expiresAt)}.`}
          value={invitationLink(created.token)}
          copyLabel={`Copy the invitation link for ${created.email}`}
          testId="invitation-link"
          onDone={() => setCreated(null)}
        />
      )}
      <div className="toolbar">
        <label>
          Show
          <select value={status} onChange={(event) => setStatus(event.target.value as Shown)}>
            <option value="pending">Pending invitations</option>
            <option value="accepted">Accepted</option>
            <option value="revoked">Revoked</option>
            <option value="expired">Expired</option>
            <option value="all">All invitations</option>
          </select>
        </label>
      </div>
      {invitations.isPending && <Loading what="invitations" />}
      {invitations.error && (
        <ErrorState error={invitations.error} what="load the invitations" onRetry={() => invitations.refetch()} />
      )}
      {invitations.data && invitations.data.data.length === 0 && pages.first && (
        <Empty title={status === 'pending' ? 'No pending invitation' : 'No invitation here'} />
      )}
      {invitations.data && invitations.data.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Invitation table">
          <table>
            <thead>
              <tr>
                <th scope="col">Invited</th>
                <th scope="col">Roles</th>
                <th scope="col">Personal key in</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
                {canWrite && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {invitations.data.data.map((invitation) => (
                <tr key={invitation.id}>
                  <th scope="row">
                    {invitation.email}
                    {invitation.name && <div className="hint">{invitation.name}</div>}
                  </th>
                  <td>{describeRoles(invitation.roles, teamName)}</td>
                  <td>{projectName.get(invitation.projectId) ?? '—'}</td>
                  <td>{invitation.status}</td>
                  <td>{when(invitation.expiresAt)}</td>
                  {canWrite && (
                    <td className="row-actions">
                      {invitation.status === 'pending' && (
                        <button
                          type="button"
                          onClick={() => setRevoking(invitation)}
                          aria-label={`Revoke the invitation of ${invitation.email}`}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(!pages.first || invitations.data?.nextCursor) && (
        <Pager label="Invitation pages" pages={pages} nextCursor={invitations.data?.nextCursor} />
      )}
      {revoking && <RevokeInvitationDialog invitation={revoking} onClose={() => setRevoking(null)} />}
    </section>
  );
}

function InviteForm({
  orgId,
  teams,
  projects,
  onCreated,
}: {
  orgId: string;
  teams: readonly Team[];
  projects: readonly Project[];
  onCreated: (invitation: InvitationWithToken) => void;
}) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<RoleGrant[]>([{ role: 'developer', teamId: null }]);
  const [projectId, setProjectId] = useState('');
  const reached = projectsReached(projects, roles);
  // The chosen project, while the roles still reach it; else the first they reach.
  const project = reached.find((candidate) => candidate.id === projectId) ?? reached[0];
  const invite = useMutation({
    mutationFn: () =>
      call<InvitationWithToken>(
        api.POST('/admin/v1/orgs/{orgId}/invitations', {
          params: { path: { orgId } },
          body: { email, ...(name.trim() ? { name } : {}), roles, projectId: project!.id },
        }),
      ),
    onSuccess: (created) => {
      setEmail('');
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['invitations', orgId] });
      onCreated(created);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };
  return (
    <form className="card key-form" onSubmit={submit} aria-labelledby="invite-title">
      <h3 id="invite-title">Invite someone</h3>
      <label>
        Email
        <input type="email" required maxLength={320} value={email} onChange={(event) => setEmail(event.target.value)} />
      </label>
      <label>
        Name (optional)
        <input maxLength={200} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <RoleGrantsEditor value={roles} onChange={setRoles} teams={teams} allowOwner={mayTouchOwner(me)} />
      <label>
        Project of their personal key
        <select value={project?.id ?? ''} onChange={(event) => setProjectId(event.target.value)}>
          {reached.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </select>
      </label>
      <p className="hint">
        Accepting creates the user with these roles and a personal key in this project: they sign in with it.
      </p>
      {!project && <p className="error-text">These roles reach no project: give a role in a team that has one.</p>}
      {invite.error && <ErrorState error={invite.error} what="create the invitation" />}
      <div className="actions">
        <button type="submit" className="primary" disabled={invite.isPending || !project || roles.length === 0}>
          Create invitation
        </button>
      </div>
    </form>
  );
}

function RevokeInvitationDialog({ invitation, onClose }: { invitation: Invitation; onClose: () => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () =>
      call<Invitation>(
        api.DELETE('/admin/v1/invitations/{invitationId}', { params: { path: { invitationId: invitation.id } } }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['invitations', invitation.orgId] });
      onClose();
    },
  });
  return (
    <Dialog title={`Revoke the invitation of ${invitation.email}?`} onClose={onClose}>
      <p>Its link stops working now. You can invite {invitation.email} again afterwards.</p>
      {revoke.error && <ErrorState error={revoke.error} what="revoke the invitation" />}
      <div className="actions">
        <button type="button" className="danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
          Revoke invitation
        </button>
        <button type="button" onClick={onClose} autoFocus>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
