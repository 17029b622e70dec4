import type { Role } from './roles';

/** A role held in an org, org-wide (`teamId` null) or in one team. */
export interface RoleGrant {
  role: Role;
  teamId: string | null;
}

/**
 * Who calls the admin API. The instance operator (an operator key) may do everything; a user
 * (through a personal key or an SSO session) may do what their roles in their org allow.
 */
export interface Principal {
  operator: boolean;
  /** The key the caller presented; null for an SSO session. */
  keyId: string | null;
  userId: string | null;
  /** The user's org; null for the operator. */
  orgId: string | null;
  roles: readonly RoleGrant[];
}

/** What a permission is checked against: an object's org, its team, and the user who owns it. */
export interface AccessTarget {
  orgId: string;
  teamId?: string | null;
  ownerUserId?: string | null;
}
