import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * One usage row per charged call, written in its settlement's transaction: what the call used,
 * its list cost, discount and charge, who made it and the caller's tags. Metadata only, never
 * content. The reports filter by org and time first; tag filters use the jsonb containment index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage')
    .addColumn('request_id', 'text', (col) => col.primaryKey())
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('team_id', 'text')
    .addColumn('project_id', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('requested_model', 'text', (col) => col.notNull())
    .addColumn('model', 'text', (col) => col.notNull())
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('deployment_id', 'text', (col) => col.notNull())
    .addColumn('api', 'text', (col) => col.notNull())
    .addColumn('task', 'text', (col) => col.notNull())
    .addColumn('input_tokens', 'bigint', (col) => col.notNull())
    .addColumn('cached_input_tokens', 'bigint', (col) => col.notNull())
    .addColumn('cache_write_tokens', 'bigint', (col) => col.notNull())
    .addColumn('output_tokens', 'bigint', (col) => col.notNull())
    .addColumn('reasoning_tokens', 'bigint', (col) => col.notNull())
    .addColumn('list_cost', 'bigint', (col) => col.notNull().check(sql`list_cost >= 0`))
    .addColumn('discount', 'bigint', (col) => col.notNull().check(sql`discount >= 0`))
    .addColumn('charged', 'bigint', (col) => col.notNull().check(sql`charged = list_cost - discount`))
    .addColumn('tags', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('session_id', 'text')
    .addColumn('parent_request_id', 'text')
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('stream', 'boolean', (col) => col.notNull())
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('usage_org_occurred').on('usage').columns(['org_id', 'occurred_at']).execute();
  await db.schema
    .createIndex('usage_org_session')
    .on('usage')
    .columns(['org_id', 'session_id'])
    .where(sql.ref('session_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('usage_tags')
    .on('usage')
    .using('gin')
    .expression(sql`tags jsonb_path_ops`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage').execute();
}
