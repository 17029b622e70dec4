import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, never, never>;

export interface OrgTable {
  id: Generated<string>;
  name: string;
  created_at: CreatedAt;
}

export interface TeamTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  created_at: CreatedAt;
}

export interface ProjectTable {
  id: Generated<string>;
  org_id: string;
  team_id: string | null;
  name: string;
  /** Providers may retain the project's data: fields such as `store` are passed on instead of dropped. */
  data_retention: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

/** A user of an org; personal keys name them (`api_keys.user_id`). */
export interface UserTable {
  id: Generated<string>;
  org_id: string;
  email: string;
  name: string | null;
  /** The user's identity at the SSO IdP: issuer and subject, unique together; null when not linked. */
  idp_issuer: ColumnType<string | null, string | null | undefined, string | null>;
  idp_subject: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

/** A role a user holds in an org (`team_id` null) or in one of its teams; `place` is the team or org id. */
export interface UserRoleTable {
  user_id: string;
  org_id: string;
  team_id: string | null;
  role: string;
  place: string;
  created_at: CreatedAt;
}

/**
 * An invitation to an org: the roles (`[{role, teamId}]`) and the project of the first personal
 * key the invitee gets on accepting; the one-time token as its sha256 only.
 */
export interface InvitationTable {
  id: Generated<string>;
  org_id: string;
  email: string;
  name: string | null;
  roles: ColumnType<Array<{ role: string; teamId: string | null }>, string, never>;
  project_id: string;
  token_hash: string;
  expires_at: Date;
  invited_by_user_id: string | null;
  invited_by_key_id: string | null;
  accepted_at: ColumnType<Date | null, never, Date | null>;
  /** The user the acceptance created. */
  user_id: ColumnType<string | null, never, string | null>;
  revoked_at: ColumnType<Date | null, never, Date>;
  created_at: CreatedAt;
}

export interface ApiKeyTable {
  id: Generated<string>;
  org_id: string;
  team_id: string | null;
  project_id: string;
  /** The user a personal key belongs to; null for a project's service key. */
  user_id: ColumnType<string | null, string | null | undefined, never>;
  name: string;
  /** sha256 hex of the secret; the secret itself is shown once and never stored. */
  key_hash: string;
  /** First characters of the secret, for humans to recognise a key. */
  key_prefix: string;
  admin: boolean;
  allowed_models: string[] | null;
  /** The public APIs the key may call (`KeyEndpoint`); null: every one. */
  allowed_endpoints: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  /** Canonical CIDR ranges the caller's address must be in; null: any address. */
  ip_allowlist: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  expires_at: Date | null;
  /** The secret before the last rotation, working until `previous_key_expires_at`. */
  previous_key_hash: ColumnType<string | null, never, string | null>;
  previous_key_expires_at: ColumnType<Date | null, never, Date | null>;
  rotated_at: ColumnType<Date | null, never, Date>;
  revoked_at: Date | null;
  /** The key's latest accepted call (`key.uses.recorded.v1`); written only by `recordKeyUses`. */
  last_used_at: ColumnType<Date | null, never, never>;
  created_at: CreatedAt;
}

type UpdatedAt = ColumnType<Date, never, Date>;
/** A catalog entry as the catalog file spells it (JSON). */
export type Spec = Record<string, unknown>;

/** A provider credential stored through the admin API; `sealed` is `v1.<iv>.<tag>.<ciphertext>` (AES-256-GCM). */
export interface ProviderCredentialTable {
  id: Generated<string>;
  name: string;
  sealed: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** A model of the admin catalog layer: a catalog model without its deployments. */
export interface CatalogModelTable {
  id: string;
  spec: ColumnType<Spec, string, string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** A deployment of the admin catalog layer, of a file model or a layer model. */
export interface CatalogDeploymentTable {
  id: string;
  model: string;
  spec: ColumnType<Spec, string, string>;
  credential_ids: string[];
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** One row: incremented by every change of the layer or of a credential. */
export interface CatalogRevisionTable {
  id: number;
  revision: ColumnType<string, never, never>;
}

/** A routing policy attached to an org, team, project or key (`RoutingPolicy`, as JSON). */
export interface RoutingPolicyTable {
  id: Generated<string>;
  scope: 'org' | 'team' | 'project' | 'key';
  scope_id: string;
  policy: ColumnType<Spec, string, string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** The rate limits of an org, team, project or key; a null limit is not limited. */
export interface RateLimitTable {
  id: Generated<string>;
  scope: 'org' | 'team' | 'project' | 'key';
  scope_id: string;
  rpm: number | null;
  tpm: number | null;
  max_concurrent: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** An SSO login between the redirect to the IdP and its callback; `state_hash` is the sha256 of its `state`. */
export interface SsoLoginTable {
  state_hash: string;
  /** sha256 of the cookie the login's browser holds: the callback must come from that browser. */
  browser_hash: string;
  code_verifier: string;
  nonce: string;
  expires_at: Date;
  created_at: CreatedAt;
}

/** A session of an SSO login: its token and refresh token as sha256, and the IdP's refresh token, sealed. */
export interface SsoSessionTable {
  id: string;
  user_id: string;
  token_hash: string;
  refresh_hash: string;
  /** The refresh token the last refresh replaced: presented again, it revokes the session (reuse). */
  previous_refresh_hash: string | null;
  /** Sealed with POLYMUX_CREDENTIALS_KEY (the session id as additional data); null without one. */
  idp_refresh_token: string | null;
  expires_at: Date;
  /** After this, no refresh: the user logs in again. */
  absolute_expires_at: Date;
  created_at: CreatedAt;
  refreshed_at: Date | null;
  revoked_at: Date | null;
}

/** Tables of the `control` schema; no other service reads them. */
export interface ControlDB {
  orgs: OrgTable;
  teams: TeamTable;
  projects: ProjectTable;
  users: UserTable;
  user_roles: UserRoleTable;
  sso_logins: SsoLoginTable;
  sso_sessions: SsoSessionTable;
  invitations: InvitationTable;
  api_keys: ApiKeyTable;
  provider_credentials: ProviderCredentialTable;
  catalog_models: CatalogModelTable;
  catalog_deployments: CatalogDeploymentTable;
  catalog_revision: CatalogRevisionTable;
  routing_policies: RoutingPolicyTable;
  rate_limits: RateLimitTable;
}
