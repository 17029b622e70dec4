import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Roles of users: per organisation (`team_id` null) or per team. A user holds each role at most
 * once per place; the primary key's `place` is the team id, or the org id for an org-wide role.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'uuid', (col) => col.notNull().references('orgs.id'))
    .addColumn('team_id', 'uuid', (col) => col.references('teams.id'))
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('place', 'uuid', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('user_roles_pkey', ['user_id', 'place', 'role'])
    .execute();
  await db.schema.createIndex('user_roles_org').on('user_roles').columns(['org_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('user_roles').execute();
}
