import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** The append-only, hash-chained audit trail. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('records')
    .addColumn('seq', 'bigserial', (column) => column.primaryKey())
    .addColumn('id', 'text', (column) => column.notNull().unique())
    .addColumn('category', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('actor_key_id', 'text')
    .addColumn('org_id', 'text')
    .addColumn('project_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('target', 'text')
    .addColumn('metadata', 'jsonb', (column) => column.notNull())
    .addColumn('occurred_at', 'timestamptz', (column) => column.notNull())
    .addColumn('recorded_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('prev_hash', 'text', (column) => column.notNull())
    .addColumn('hash', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('records_request_id').on('records').columns(['request_id', 'seq']).execute();
  await db.schema.createIndex('records_org_id').on('records').columns(['org_id', 'seq']).execute();

  await sql`
    create function audit.reject_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit records are append-only';
    end $$`.execute(db);
  await sql`
    create trigger records_append_only before update or delete on audit.records
    for each row execute function audit.reject_change()`.execute(db);
  await sql`
    create trigger records_no_truncate before truncate on audit.records
    for each statement execute function audit.reject_change()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('records').execute();
  await sql`drop function audit.reject_change()`.execute(db);
}
