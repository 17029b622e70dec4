import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Users of an organisation, and personal keys: a key may belong to a user, whose budgets and usage
 * rows its calls then count against. An email is unique within its org, case-insensitively.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (col) => col.notNull().references('orgs.id'))
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('name', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('users_org_email')
    .unique()
    .on('users')
    .expression(sql`org_id, lower(email)`)
    .execute();
  await db.schema
    .alterTable('api_keys')
    .addColumn('user_id', 'uuid', (col) => col.references('users.id'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('user_id').execute();
  await db.schema.dropTable('users').execute();
}
