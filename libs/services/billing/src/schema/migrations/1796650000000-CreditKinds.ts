import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Grants, their expiry, refunds and adjustments become transaction kinds; a transaction may carry
 * the operator's reason, and each grant its sub-account and optional expiry (rows never change:
 * an expired grant is one with a `grant_expiry` transaction).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table billing.transactions drop constraint transactions_kind_check`.execute(db);
  await sql`
    alter table billing.transactions add constraint transactions_kind_check
    check (kind in ('top_up', 'charge', 'overrun', 'grant', 'grant_expiry', 'refund', 'adjustment'))`.execute(db);
  await sql`alter table billing.transactions add column reason text`.execute(db);
  await sql`
    alter table billing.transactions add constraint transactions_reason_check
    check (kind not in ('grant', 'refund', 'adjustment') or length(reason) > 0)`.execute(db);
  await db.schema
    .createTable('grants')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account', 'text', (col) => col.notNull())
    .addColumn('sub_account', 'text', (col) => col.notNull().unique())
    .addColumn('transaction_id', 'bigint', (col) => col.notNull().references('transactions.id'))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('grants_account').on('grants').column('account').execute();
  await db.schema.createIndex('grants_expires_at').on('grants').column('expires_at').execute();
  await sql`
    create trigger grants_append_only before update or delete on billing.grants
    for each row execute function billing.reject_change()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('grants').execute();
  await sql`alter table billing.transactions drop constraint transactions_reason_check`.execute(db);
  await sql`alter table billing.transactions drop column reason`.execute(db);
  await sql`alter table billing.transactions drop constraint transactions_kind_check`.execute(db);
  await sql`
    alter table billing.transactions add constraint transactions_kind_check
    check (kind in ('top_up', 'charge', 'overrun'))`.execute(db);
}
