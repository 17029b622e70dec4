import type { SsoConfig, SsoGrant } from '@polymux/config';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import type { RoleGrant } from '../access/principal';
import type { Role } from '../access/roles';
import { ROLES, heldIn } from '../access/roles';

export type Claims = Record<string, unknown>;

/** Who the IdP says logged in, and what the role map makes of their groups (teams still by name). */
export interface MappedIdentity {
  subject: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  /** The org claim's value: an org's id or its name. */
  org: string;
  grants: SsoGrant[];
}

/**
 * A claim by its name, or, when no claim has the whole name, by a dotted path into nested claims
 * (Keycloak's `realm_access.roles`); names with dots of their own (Auth0's
 * `https://example.com/groups`) are found by the first lookup.
 */
export const claimAt = (claims: Claims, name: string): unknown => {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Claims)[part];
  }
  return value;
};

const stringClaim = (claims: Claims, name: string): string | undefined => {
  const value = claimAt(claims, name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/** A groups claim is a list of names; a single string is one group. Anything else holds none. */
const groupsOf = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((group): group is string => typeof group === 'string');
};

const refuse = (message: string) => new PolymuxException(ErrorCode.Forbidden, message);

/** Reads the identity, org and grants out of the ID token's and userinfo's claims, or says what is missing. */
export const mapClaims = (
  claims: Claims,
  sso: Pick<SsoConfig, 'orgClaim' | 'groupsClaim' | 'roleMap'>,
): MappedIdentity => {
  const subject = stringClaim(claims, 'sub');
  if (!subject) throw refuse('the IdP sent no subject (sub) claim');
  const email = stringClaim(claims, 'email');
  if (!email) throw refuse('the IdP sent no email claim: request the email scope (POLYMUX_SSO_SCOPES)');
  const org = stringClaim(claims, sso.orgClaim);
  if (!org) throw refuse(`the IdP sent no ${sso.orgClaim} claim naming your organisation (POLYMUX_SSO_ORG_CLAIM)`);
  const seen = new Set<string>();
  const grants: SsoGrant[] = [];
  for (const group of groupsOf(claimAt(claims, sso.groupsClaim))) {
    for (const grant of Object.hasOwn(sso.roleMap, group) ? sso.roleMap[group]! : []) {
      const key = `${grant.role}@${grant.team ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      grants.push(grant);
    }
  }
  return {
    subject,
    email,
    emailVerified: claimAt(claims, 'email_verified') === true,
    name: stringClaim(claims, 'name') ?? null,
    org,
    grants,
  };
};

/** The role map's problems: unknown roles, team roles without a team, org-only roles with one. */
export const roleMapProblems = (roleMap: SsoConfig['roleMap']): string[] =>
  Object.entries(roleMap).flatMap(([group, grants]) =>
    grants.flatMap(({ role, team }) => {
      const where = `POLYMUX_SSO_ROLE_MAP: group ${JSON.stringify(group)}`;
      if (!(ROLES as readonly string[]).includes(role)) return [`${where}: unknown role ${role} (${ROLES.join(', ')})`];
      if (team === null && !heldIn(role, false))
        return [`${where}: ${role} is a team role: name its team ({"role": "${role}", "team": "<name>"})`];
      if (team !== null && !heldIn(role, true)) return [`${where}: ${role} is an org-wide role: it takes no team`];
      return [];
    }),
  );

/** The grants with their teams resolved by name among the org's teams; grants of unknown teams are dropped. */
export const resolveTeams = (
  grants: readonly SsoGrant[],
  teams: ReadonlyArray<{ id: string; name: string }>,
): { grants: RoleGrant[]; unknownTeams: string[] } => {
  // Two teams of one name: the older one (teams come in creation order).
  const byName = new Map<string, string>();
  for (const team of teams) if (!byName.has(team.name)) byName.set(team.name, team.id);
  const resolved: RoleGrant[] = [];
  const unknownTeams = new Set<string>();
  for (const grant of grants) {
    const teamId = grant.team === null ? null : byName.get(grant.team);
    if (teamId === undefined) unknownTeams.add(grant.team!);
    else resolved.push({ role: grant.role as Role, teamId });
  }
  return { grants: resolved, unknownTeams: [...unknownTeams] };
};
