import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Budgets (one per scope and period), a revision per org that every budget change increments (the
 * budget stores refuse definitions older than the newest they saw), and each budget's spend per
 * period, added in the settlement batch's transaction: what lost counters are hydrated from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('budgets')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('scope', 'text', (col) => col.notNull().check(sql`scope in ('org', 'team', 'project', 'key')`))
    .addColumn('scope_id', 'text', (col) => col.notNull())
    .addColumn('period', 'text', (col) => col.notNull().check(sql`period in ('daily', 'weekly', 'monthly')`))
    .addColumn('timezone', 'text', (col) => col.notNull())
    .addColumn('amount', 'bigint', (col) => col.notNull().check(sql`amount > 0`))
    .addColumn('hard_limit', 'bigint', (col) => col.check(sql`hard_limit >= 0`))
    .addColumn('thresholds', sql`integer[]`, (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('budgets_scope_period_unique', ['scope', 'scope_id', 'period'])
    .execute();
  await db.schema.createIndex('budgets_org_id').on('budgets').column('org_id').execute();
  await db.schema
    .createTable('budget_revisions')
    .addColumn('org_id', 'text', (col) => col.primaryKey())
    .addColumn('revision', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('budget_spend')
    .addColumn('budget_id', 'uuid', (col) => col.notNull())
    .addColumn('period_start_ms', 'bigint', (col) => col.notNull())
    .addColumn('spent', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('budget_spend_pkey', ['budget_id', 'period_start_ms'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('budget_spend').execute();
  await db.schema.dropTable('budget_revisions').execute();
  await db.schema.dropTable('budgets').execute();
}
