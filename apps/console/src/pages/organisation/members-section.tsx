import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { Member, Page, RoleGrant, Team } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can, mayTouchOwner } from '../../auth/permissions';
import { Dialog, FormActions } from '../../ui/dialog';
import { Pager, useCursors } from '../../ui/pager';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { RoleGrantsEditor, describeRoles } from './roles';

const PAGE_SIZE = 20;
const date = (iso: string) => new Date(iso).toLocaleDateString();

/**
 * The organisation's members with their roles, org-wide and per team (a team admin: their team's),
 * 20 a page; owners and admins change roles, and only an owner (or the operator) an owner's.
 */
export function MembersSection({ orgId, teams }: { orgId: string; teams: readonly Team[] }) {
  const { me } = useAuth();
  const pages = useCursors(orgId);
  const [editing, setEditing] = useState<Member | null>(null);
  const members = useQuery({
    queryKey: ['members', orgId, pages.cursor],
    queryFn: () =>
      call<Page<Member>>(
        api.GET('/admin/v1/orgs/{orgId}/users', {
          params: { path: { orgId }, query: { limit: PAGE_SIZE, ...(pages.cursor ? { cursor: pages.cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  const canWrite = can(me, 'member.write');
  const editable = (member: Member) =>
    canWrite && (mayTouchOwner(me) || !member.roles.some((grant) => grant.role === 'owner'));
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {members.isPending && <Loading what="members" />}
      {members.error && <ErrorState error={members.error} what="load the members" onRetry={() => members.refetch()} />}
      {members.data && members.data.data.length === 0 && pages.first && (
        <Empty title="No member yet">{canWrite && <p>Invite someone below.</p>}</Empty>
      )}
      {members.data && members.data.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Member table">
          <table>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Roles</th>
                <th scope="col">Since</th>
                {canWrite && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {members.data.data.map((member) => (
                <tr key={member.id}>
                  <th scope="row">
                    {member.name ?? member.email}
                    {member.name && <div className="hint">{member.email}</div>}
                  </th>
                  <td>{describeRoles(member.roles, teamName)}</td>
                  <td>{date(member.createdAt)}</td>
                  {canWrite && (
                    <td className="row-actions">
                      {editable(member) ? (
                        <button
                          type="button"
                          onClick={() => setEditing(member)}
                          aria-label={`Change the roles of ${member.name ?? member.email}`}
                        >
                          Change roles
                        </button>
                      ) : (
                        <span className="hint">Only an owner changes an owner</span>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(!pages.first || members.data?.nextCursor) && (
        <Pager label="Member pages" pages={pages} nextCursor={members.data?.nextCursor} />
      )}
      {editing && <RolesDialog member={editing} teams={teams} onClose={() => setEditing(null)} />}
    </section>
  );
}

function RolesDialog({ member, teams, onClose }: { member: Member; teams: readonly Team[]; onClose: () => void }) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const [roles, setRoles] = useState<RoleGrant[]>(member.roles);
  const save = useMutation({
    mutationFn: () =>
      call<Member>(
        api.PUT('/admin/v1/users/{userId}/roles', {
          params: { path: { userId: member.id } },
          body: { roles },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['members', member.orgId] });
      if (member.id === me?.user?.id) void queryClient.invalidateQueries({ queryKey: ['me'] });
      onClose();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Dialog title={`Roles of ${member.name ?? member.email}`} onClose={onClose}>
      <form onSubmit={submit}>
        <RoleGrantsEditor value={roles} onChange={setRoles} teams={teams} allowOwner={mayTouchOwner(me)} />
        {save.error && <ErrorState error={save.error} what="change the roles" />}
        <FormActions submit="Save roles" pending={save.isPending} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
