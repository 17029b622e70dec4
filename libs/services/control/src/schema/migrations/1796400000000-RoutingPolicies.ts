import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** Routing policies, at most one per org, team, project or key (`scope`, `scope_id`). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('routing_policies')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('scope', 'text', (col) => col.notNull().check(sql`scope in ('org', 'team', 'project', 'key')`))
    .addColumn('scope_id', 'uuid', (col) => col.notNull())
    .addColumn('policy', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('routing_policies_scope_unique', ['scope', 'scope_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('routing_policies').execute();
}
