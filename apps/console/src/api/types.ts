/**
 * The answers the console reads, typed narrowly. The OpenAPI document types request bodies and
 * query parameters exactly (schema.ts) but most answers only as objects, so the fields used here
 * are written out once, as the admin API's views (`*.views.ts`) return them.
 */

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface ConsoleConfig {
  mode: 'embedded' | 'distributed';
  sso: boolean;
  publicUrl: string | null;
  dataPlanePort: number;
}

export interface HeldPermission {
  permission: string;
  teamId: string | null;
  ownOnly: boolean;
}

export interface Me {
  operator: boolean;
  keyId: string | null;
  user: { id: string; email: string; name: string | null } | null;
  org: { id: string; name: string } | null;
  roles: Array<{ role: string; teamId: string | null; team: string | null }>;
  permissions: HeldPermission[];
}

export interface Org {
  id: string;
  name: string;
}

export interface Team {
  id: string;
  name: string;
  org_id: string;
  created_at: string;
}

export interface Project {
  id: string;
  name: string;
  org_id: string;
  team_id: string | null;
  /** Providers may retain the project's data (fields such as `store` are passed on). */
  data_retention: boolean;
  created_at: string;
}

export type Role = 'owner' | 'admin' | 'billing_admin' | 'team_admin' | 'developer' | 'viewer' | 'auditor';

/** A role held org-wide (`teamId` null) or in one team. */
export interface RoleGrant {
  role: Role;
  teamId: string | null;
}

export interface Member {
  id: string;
  orgId: string;
  email: string;
  name: string | null;
  roles: RoleGrant[];
  createdAt: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface Invitation {
  id: string;
  orgId: string;
  email: string;
  name: string | null;
  roles: RoleGrant[];
  projectId: string;
  status: InvitationStatus;
  expiresAt: string;
  invitedByUserId: string | null;
  acceptedAt: string | null;
  userId: string | null;
  revokedAt: string | null;
  createdAt: string;
}

/** The creation answer: the only one holding the one-time token. */
export type InvitationWithToken = Invitation & { token: string };

/** `POST /admin/v1/invitations/accept`: the new user and their personal key, its secret shown once. */
export interface Acceptance {
  invitationId: string;
  user: Member;
  key: KeyWithSecret;
}

export type KeyEndpoint = 'chat.completions' | 'responses' | 'messages' | 'embeddings' | 'models' | 'routing.explain';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  projectId: string;
  userId: string | null;
  admin: boolean;
  allowedModels: string[] | null;
  allowedEndpoints: KeyEndpoint[] | null;
  ipAllowlist: string[] | null;
  expiresAt: string | null;
  rotatedAt: string | null;
  previousSecretExpiresAt: string | null;
  rpm: number | null;
  tpm: number | null;
  maxConcurrent: number | null;
  revokedAt: string | null;
  createdAt: string;
}

/** Creation and rotation answers: the only ones holding the secret. */
export type KeyWithSecret = ApiKey & { key: string };

export interface Balance {
  balanceUsd: string;
  reservedUsd: string;
}

export interface SsoSession {
  sessionToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  userId: string;
}
