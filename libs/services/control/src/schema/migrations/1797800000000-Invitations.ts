import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Invitations to an organisation: who is invited (email, name), the roles they will hold (JSON:
 * `[{role, teamId}]`), the project their first personal key is made in, and the one-time token
 * as its sha256 only. Pending until accepted, revoked or expired.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('invitations')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (col) => col.notNull().references('orgs.id'))
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('name', 'text')
    .addColumn('roles', 'jsonb', (col) => col.notNull())
    .addColumn('project_id', 'uuid', (col) => col.notNull().references('projects.id'))
    .addColumn('token_hash', 'char(64)', (col) => col.notNull().unique())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('invited_by_user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('invited_by_key_id', 'uuid')
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('invitations_org').on('invitations').columns(['org_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('invitations').execute();
}
