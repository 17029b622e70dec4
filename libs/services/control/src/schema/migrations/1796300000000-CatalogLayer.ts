import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The admin layer of the model catalog: models and deployments added through the admin API, the
 * provider credentials they reference (sealed, AES-256-GCM), and one revision counter that every
 * change increments, so router and executor replicas apply the newest layer only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('provider_credentials')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('sealed', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('catalog_models')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('spec', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('catalog_deployments')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('model', 'text', (col) => col.notNull())
    .addColumn('spec', 'jsonb', (col) => col.notNull())
    /** The stored credentials the spec references, so that a referenced credential is not deleted. */
    .addColumn('credential_ids', sql`uuid[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('catalog_revision')
    .addColumn('id', 'integer', (col) => col.primaryKey().check(sql`id = 1`))
    .addColumn('revision', 'bigint', (col) => col.notNull())
    .execute();
  await db
    .insertInto('catalog_revision' as never)
    .values({ id: 1, revision: 0 } as never)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['catalog_revision', 'catalog_deployments', 'catalog_models', 'provider_credentials'])
    await db.schema.dropTable(table).execute();
}
