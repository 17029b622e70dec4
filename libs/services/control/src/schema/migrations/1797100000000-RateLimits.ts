import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Rate limits, at most one row per org, team, project or key (`scope`, `scope_id`): requests and
 * tokens per minute and calls in flight, each optional (null: not limited).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('scope', 'text', (col) => col.notNull().check(sql`scope in ('org', 'team', 'project', 'key')`))
    .addColumn('scope_id', 'uuid', (col) => col.notNull())
    .addColumn('rpm', 'integer', (col) => col.check(sql`rpm > 0`))
    .addColumn('tpm', 'integer', (col) => col.check(sql`tpm > 0`))
    .addColumn('max_concurrent', 'integer', (col) => col.check(sql`max_concurrent > 0`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('rate_limits_scope_unique', ['scope', 'scope_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}
