import { Inject, Injectable } from '@nestjs/common';
import type { Insertable, Kysely, Selectable, SelectQueryBuilder, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { KeyUses } from '@polymux/contracts';

import type { KeyRow } from './keys/key-resolution';
import { type Keyset, keysetWindow } from './pagination';
import type {
  ApiKeyTable,
  ControlDB,
  OrgTable,
  ProjectTable,
  TeamTable,
  UserTable,
} from './schema/tables/control.tables';

/** A page of a list (`pagination.ts`); without one a list is read whole. */
export interface Window {
  after?: Keyset | undefined;
  size: number;
}

export interface KeyFilters {
  userId?: string | undefined;
  status?: 'active' | 'revoked' | undefined;
}

const windowed = <DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, window: Window | undefined) =>
  window === undefined ? query.orderBy(sql`created_at`) : keysetWindow(query, window.after, window.size);

export const CONTROL_DB = Symbol('polymux.control.db');

export type Org = Selectable<OrgTable>;
export type Team = Selectable<TeamTable>;
export type Project = Selectable<ProjectTable>;
export type ApiKey = Selectable<ApiKeyTable>;
export type User = Selectable<UserTable>;
export type KeyScopeColumns = Pick<
  Updateable<ApiKeyTable>,
  'allowed_models' | 'allowed_endpoints' | 'ip_allowlist' | 'expires_at'
>;

/** Arbitrary, unique to control: the advisory lock key that lets one replica bootstrap at a time. */
const BOOTSTRAP_LOCK_KEY = 7_146_953_301;

/** Control's I/O: orgs, teams, projects and hashed API keys. No rules here. */
@Injectable()
export class ControlRepository {
  constructor(@Inject(CONTROL_DB) private readonly db: Kysely<ControlDB>) {}

  /**
   * Runs `work` while this session holds the bootstrap lock (Postgres only: PGlite has one
   * connection and one process). Replicas starting together wait here, then see the first one's rows.
   */
  withBootstrapLock<T>(work: () => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (connection) => {
      await sql`select pg_advisory_lock(${sql.lit(BOOTSTRAP_LOCK_KEY)})`.execute(connection);
      try {
        return await work();
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(BOOTSTRAP_LOCK_KEY)})`.execute(connection);
      }
    });
  }

  createOrg(name: string): Promise<Org> {
    return this.db.insertInto('orgs').values({ name }).returningAll().executeTakeFirstOrThrow();
  }

  listOrgs(window?: Window): Promise<Org[]> {
    return windowed(this.db.selectFrom('orgs').selectAll(), window).execute();
  }

  findOrg(id: string): Promise<Org | undefined> {
    return this.db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  createTeam(orgId: string, name: string): Promise<Team> {
    return this.db.insertInto('teams').values({ org_id: orgId, name }).returningAll().executeTakeFirstOrThrow();
  }

  listTeams(orgId: string, window?: Window): Promise<Team[]> {
    return windowed(this.db.selectFrom('teams').selectAll().where('org_id', '=', orgId), window).execute();
  }

  findTeam(id: string): Promise<Team | undefined> {
    return this.db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
  }

  createProject(values: Insertable<ProjectTable>): Promise<Project> {
    return this.db.insertInto('projects').values(values).returningAll().executeTakeFirstOrThrow();
  }

  listProjects(orgId: string, window?: Window & { teamId?: string | undefined }): Promise<Project[]> {
    let query = this.db.selectFrom('projects').selectAll().where('org_id', '=', orgId);
    if (window?.teamId !== undefined) query = query.where('team_id', '=', window.teamId);
    return windowed(query, window).execute();
  }

  updateProject(id: string, values: Pick<Updateable<ProjectTable>, 'data_retention'>): Promise<Project | undefined> {
    return this.db.updateTable('projects').set(values).where('id', '=', id).returningAll().executeTakeFirst();
  }

  findProject(id: string): Promise<Project | undefined> {
    return this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findProjectByName(orgId: string, name: string): Promise<Project | undefined> {
    return this.db
      .selectFrom('projects')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  findOrgByName(name: string): Promise<Org | undefined> {
    return this.db.selectFrom('orgs').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** A new user, or undefined when the org already has a user of that email (any case). */
  async createUser(values: Insertable<UserTable>): Promise<User | undefined> {
    const taken = await this.db
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', values.org_id)
      .where(sql<string>`lower(email)`, '=', values.email.toLowerCase())
      .executeTakeFirst();
    if (taken) return undefined;
    return this.db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
  }

  listUsers(orgId: string, window?: Window): Promise<User[]> {
    return windowed(this.db.selectFrom('users').selectAll().where('org_id', '=', orgId), window).execute();
  }

  findUser(id: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  createKey(values: Insertable<ApiKeyTable>): Promise<ApiKey> {
    return this.db.insertInto('api_keys').values(values).returningAll().executeTakeFirstOrThrow();
  }

  listKeys(projectId: string, window?: Window & KeyFilters): Promise<ApiKey[]> {
    let query = this.db.selectFrom('api_keys').selectAll().where('project_id', '=', projectId);
    if (window?.userId !== undefined) query = query.where('user_id', '=', window.userId);
    if (window?.status === 'active') query = query.where('revoked_at', 'is', null);
    if (window?.status === 'revoked') query = query.where('revoked_at', 'is not', null);
    return windowed(query, window).execute();
  }

  findKey(id: string): Promise<ApiKey | undefined> {
    return this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The key a secret's hash is, or was before the last rotation, with its project's retention setting. */
  findKeyBySecret(keyHash: string): Promise<KeyRow | undefined> {
    return this.db
      .selectFrom('api_keys')
      .innerJoin('projects', 'projects.id', 'api_keys.project_id')
      .selectAll('api_keys')
      .select('projects.data_retention')
      .where((eb) => eb.or([eb('api_keys.key_hash', '=', keyHash), eb('api_keys.previous_key_hash', '=', keyHash)]))
      .executeTakeFirst();
  }

  /** Changes an active key's scopes or expiry; undefined when it is unknown or revoked. */
  updateKey(id: string, values: KeyScopeColumns): Promise<ApiKey | undefined> {
    return this.db
      .updateTable('api_keys')
      .set(values)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Gives an active key a new secret; its current one becomes the previous one, working until
   * `previousExpiresAt`. Answers the key and the previous secret's hash it replaced (whose overlap,
   * if any was left, ends now), or undefined when the key is unknown or revoked.
   */
  rotateKey(
    id: string,
    secret: { hash: string; prefix: string },
    previousExpiresAt: Date,
  ): Promise<{ key: ApiKey; replaced: string | null } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('api_keys')
        .select(['key_hash', 'previous_key_hash'])
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!current) return undefined;
      const key = await trx
        .updateTable('api_keys')
        .set({
          previous_key_hash: current.key_hash,
          previous_key_expires_at: previousExpiresAt,
          key_hash: secret.hash,
          key_prefix: secret.prefix,
          rotated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { key, replaced: current.previous_key_hash };
    });
  }

  async anyAdminKey(): Promise<boolean> {
    const row = await this.db.selectFrom('api_keys').select('id').where('admin', '=', true).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Stores each key's last use, in one statement: a time earlier than the one stored (a late or
   * out-of-order report) changes nothing, and a row already that recent is not rewritten. The rows
   * are locked in id order, so that control replicas storing overlapping batches never deadlock.
   */
  async recordKeyUses(uses: KeyUses['uses']): Promise<void> {
    const ids = uses.map((use) => use.keyId);
    const times = uses.map((use) => use.at);
    await sql`
      with uses as (
        select id, max(at) as at from unnest(${ids}::uuid[], ${times}::timestamptz[]) as use(id, at) group by id
      ), locked as materialized (
        select keys.id, uses.at from control.api_keys keys join uses on uses.id = keys.id
        where keys.last_used_at is null or keys.last_used_at < uses.at
        order by keys.id
        for update of keys
      )
      update control.api_keys set last_used_at = greatest(api_keys.last_used_at, locked.at)
      from locked
      where api_keys.id = locked.id and (api_keys.last_used_at is null or api_keys.last_used_at < locked.at)
    `.execute(this.db);
  }

  async revokeKey(id: string): Promise<ApiKey | undefined> {
    return this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }
}
