import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Plans per org: every change, append-only (who, before, after, from when), so the plan in force
 * at any instant can be read back; counters per org and period (a free plan's daily quota, an
 * enterprise's monthly list spend), added in the settlement batch's transaction; and each call's
 * price under its plan, so a redelivered usage event is priced as the first delivery was.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('org_plans')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('plan', 'text', (col) => col.notNull().check(sql`plan in ('free', 'payg', 'enterprise')`))
    .addColumn('settings', 'jsonb', (col) => col.notNull())
    .addColumn('effective_from', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('changed_by', 'text')
    .addColumn('previous', 'jsonb', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('org_plans_org_id').on('org_plans').columns(['org_id', 'effective_from']).execute();
  await sql`
    create trigger org_plans_append_only before update or delete on billing.org_plans
    for each row execute function billing.reject_change()`.execute(db);
  await db.schema
    .createTable('plan_usage')
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('counter', 'text', (col) => col.notNull())
    .addColumn('period_start_ms', 'bigint', (col) => col.notNull())
    .addColumn('used', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('plan_usage_pkey', ['org_id', 'counter', 'period_start_ms'])
    .execute();
  await db.schema
    .createTable('plan_charges')
    .addColumn('request_id', 'text', (col) => col.primaryKey())
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('change_id', 'uuid')
    .addColumn('list_cost', 'bigint', (col) => col.notNull())
    .addColumn('discount', 'bigint', (col) => col.notNull().check(sql`discount >= 0`))
    .addColumn('charged', 'bigint', (col) => col.notNull().check(sql`charged >= 0`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('plan_charges').execute();
  await db.schema.dropTable('plan_usage').execute();
  await db.schema.dropTable('org_plans').execute();
}
