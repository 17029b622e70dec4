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

export interface ApiKeyTable {
  id: Generated<string>;
  org_id: string;
  team_id: string | null;
  project_id: string;
  name: string;
  /** sha256 hex of the secret; the secret itself is shown once and never stored. */
  key_hash: string;
  /** First characters of the secret, for humans to recognise a key. */
  key_prefix: string;
  admin: boolean;
  allowed_models: string[] | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

/** Tables of the `control` schema; no other service reads them. */
export interface ControlDB {
  orgs: OrgTable;
  teams: TeamTable;
  projects: ProjectTable;
  api_keys: ApiKeyTable;
}
