/**
 * Roles and what they may do. A user holds roles in their organisation, org-wide or in one team;
 * the instance operator (an operator key, or later an operator session) may do everything. Each
 * permission names the roles that hold it; `developer` holds the key permissions for its own
 * personal keys only (`OWN_ONLY`).
 */
export const ORG_ROLES = ['owner', 'admin', 'billing_admin', 'developer', 'viewer', 'auditor'] as const;
export const TEAM_ROLES = ['team_admin', 'developer', 'viewer'] as const;
export const ROLES = ['owner', 'admin', 'billing_admin', 'team_admin', 'developer', 'viewer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

const ALL: readonly Role[] = ROLES;

export const PERMISSIONS = {
  /** Create organisations and list every one: the instance operator only. */
  'org.manage': [],
  'org.read': ALL,
  'member.read': ['owner', 'admin', 'team_admin', 'viewer', 'auditor'],
  'member.write': ['owner', 'admin'],
  'team.read': ALL,
  'team.write': ['owner', 'admin'],
  'project.read': ALL,
  'project.write': ['owner', 'admin', 'team_admin'],
  'key.read': ['owner', 'admin', 'team_admin', 'developer', 'viewer'],
  'key.write': ['owner', 'admin', 'team_admin', 'developer'],
  'credits.read': ['owner', 'admin', 'billing_admin', 'team_admin', 'auditor'],
  /** Top-ups, grants, refunds and adjustments create or move credit: the instance operator only. */
  'credits.write': [],
  'plan.read': ['owner', 'admin', 'billing_admin', 'auditor'],
  'plan.write': [],
  'budget.read': ['owner', 'admin', 'billing_admin', 'team_admin', 'viewer', 'auditor'],
  'budget.write': ['owner', 'admin', 'billing_admin', 'team_admin'],
  'webhook.read': ['owner', 'admin', 'billing_admin'],
  'webhook.write': ['owner', 'admin', 'billing_admin'],
  'policy.read': ['owner', 'admin', 'team_admin', 'developer', 'viewer', 'auditor'],
  'policy.write': ['owner', 'admin', 'team_admin'],
  'usage.read': ['owner', 'admin', 'billing_admin', 'team_admin', 'viewer', 'auditor'],
  'audit.read': ['owner', 'auditor'],
  /** The catalog (models, deployments, their prices) is instance-wide: everyone reads it. */
  'catalog.read': ALL,
  'catalog.write': [],
  'credential.read': [],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** Permissions a role holds only over the principal's own objects (a developer's own keys). */
const OWN_ONLY: ReadonlySet<string> = new Set(['developer:key.read', 'developer:key.write']);
export const ownOnly = (role: Role, permission: Permission): boolean => OWN_ONLY.has(`${role}:${permission}`);

/** Whether a role may be held there: team roles in a team, the others org-wide. */
export const heldIn = (role: string, inTeam: boolean): boolean =>
  ((inTeam ? TEAM_ROLES : ORG_ROLES) as readonly string[]).includes(role);

export const holds = (role: Role, permission: Permission): boolean =>
  (PERMISSIONS[permission] as readonly Role[]).includes(role);

/** `key.write` → `key.read`: what a principal must hold to learn that an object exists at all. */
export const readOf = (permission: Permission): Permission => {
  const read = `${permission.split('.')[0]}.read`;
  return (read in PERMISSIONS ? read : permission) as Permission;
};

/** One permission a principal holds: where (`teamId` null: org-wide) and whether over its own objects only. */
export interface HeldPermission {
  permission: Permission;
  teamId: string | null;
  ownOnly: boolean;
}

/** Every permission a principal holds, for clients that offer only what it may do (the console). */
export const heldPermissions = (
  operator: boolean,
  grants: ReadonlyArray<{ role: Role; teamId: string | null }>,
): HeldPermission[] => {
  const all = Object.keys(PERMISSIONS) as Permission[];
  if (operator) return all.map((permission) => ({ permission, teamId: null, ownOnly: false }));
  return grants.flatMap(({ role, teamId }) =>
    all
      .filter((permission) => holds(role, permission))
      .map((permission) => ({ permission, teamId, ownOnly: ownOnly(role, permission) })),
  );
};
