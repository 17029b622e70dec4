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

export interface Project {
  id: string;
  name: string;
  org_id: string;
  team_id: string | null;
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
