import { useId } from 'react';

import type { Role, RoleGrant, Team } from '../../api/types';

/** The roles as control has them (`libs/services/control/src/access/roles.ts`): which may be held where. */
export const ORG_ROLES: readonly Role[] = ['owner', 'admin', 'billing_admin', 'developer', 'viewer', 'auditor'];
export const TEAM_ROLES: readonly Role[] = ['team_admin', 'developer', 'viewer'];

const LABELS: Record<string, string> = {
  owner: 'Owner',
  admin: 'Admin',
  billing_admin: 'Billing admin',
  team_admin: 'Team admin',
  developer: 'Developer',
  viewer: 'Viewer',
  auditor: 'Auditor',
};
export const roleLabel = (role: string) => LABELS[role] ?? role;

/** `Developer in core, Viewer`: a principal's roles, named with their teams. */
export const describeRoles = (grants: readonly RoleGrant[], teams: ReadonlyMap<string, string>) =>
  grants.length === 0
    ? 'No role'
    : grants
        .map((grant) =>
          grant.teamId ? `${roleLabel(grant.role)} in ${teams.get(grant.teamId) ?? 'a team'}` : roleLabel(grant.role),
        )
        .join(', ');

const rolesIn = (teamId: string | null, allowOwner: boolean): readonly Role[] =>
  teamId === null ? ORG_ROLES.filter((role) => allowOwner || role !== 'owner') : TEAM_ROLES;

/**
 * An editable list of role grants: each a role and where it is held (the whole organisation or a
 * team), offering only roles that may be held there, and `owner` only to those who may give it.
 */
export function RoleGrantsEditor({
  value,
  onChange,
  teams,
  allowOwner,
}: {
  value: readonly RoleGrant[];
  onChange: (grants: RoleGrant[]) => void;
  teams: readonly Team[];
  allowOwner: boolean;
}) {
  const base = useId();
  const set = (index: number, grant: RoleGrant) => onChange(value.map((current, i) => (i === index ? grant : current)));
  const place = (index: number, teamId: string | null) => {
    const role = value[index]!.role;
    // A role that may not be held in the new place becomes the developer role, held in both.
    set(index, { teamId, role: rolesIn(teamId, allowOwner).includes(role) ? role : 'developer' });
  };
  return (
    <fieldset className="grants">
      <legend>Roles</legend>
      {value.length === 0 && <p className="hint">No role: the user can sign in but do nothing.</p>}
      {value.map((grant, index) => (
        <div className="inline-form grant" key={index}>
          <label htmlFor={`${base}-role-${index}`}>Role {value.length > 1 ? index + 1 : ''}</label>
          <select
            id={`${base}-role-${index}`}
            value={grant.role}
            onChange={(event) => set(index, { ...grant, role: event.target.value as Role })}
          >
            {rolesIn(grant.teamId, allowOwner).map((role) => (
              <option key={role} value={role}>
                {roleLabel(role)}
              </option>
            ))}
          </select>
          <label htmlFor={`${base}-place-${index}`}>Held in {value.length > 1 ? index + 1 : ''}</label>
          <select
            id={`${base}-place-${index}`}
            value={grant.teamId ?? ''}
            onChange={(event) => place(index, event.target.value || null)}
          >
            <option value="">The whole organisation</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                Team {team.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            onClick={() => onChange(value.filter((_, i) => i !== index))}
            aria-label={`Remove role ${index + 1} (${roleLabel(grant.role)})`}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, { role: 'developer', teamId: null }])}>
        Add a role
      </button>
    </fieldset>
  );
}
