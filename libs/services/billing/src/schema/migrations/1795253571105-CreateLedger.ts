import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** A double-entry ledger: balanced (checked at commit) and append-only. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transactions')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('top_up', 'charge')`))
    .addColumn('idempotency_key', 'text', (column) => column.notNull().unique())
    .addColumn('request_id', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('entries')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('transaction_id', 'bigint', (column) => column.notNull().references('transactions.id'))
    .addColumn('account', 'text', (column) => column.notNull())
    .addColumn('amount', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('entries_account_id').on('entries').columns(['account', 'id']).execute();
  await db.schema.createIndex('entries_transaction_id').on('entries').column('transaction_id').execute();
  await db.schema.createIndex('transactions_request_id').on('transactions').column('request_id').execute();

  await sql`
    create function billing.assert_balanced() returns trigger language plpgsql as $$
    begin
      if (select sum(amount) from billing.entries where transaction_id = new.transaction_id) <> 0 then
        raise exception 'ledger transaction % does not balance', new.transaction_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create constraint trigger entries_balanced after insert on billing.entries
    deferrable initially deferred for each row execute function billing.assert_balanced()`.execute(db);
  await sql`
    create function billing.reject_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the billing ledger is append-only';
    end $$`.execute(db);
  for (const table of ['transactions', 'entries']) {
    await sql`
      create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.id('billing', table)}
      for each row execute function billing.reject_change()`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.id('billing', table)}
      for each statement execute function billing.reject_change()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('entries').execute();
  await db.schema.dropTable('transactions').execute();
  await sql`drop function billing.reject_change()`.execute(db);
  await sql`drop function billing.assert_balanced()`.execute(db);
}
