import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Overruns become their own transaction kind, and every transaction records the Postgres
 * transaction id that wrote it, so a balance read can tell exactly which transactions it counted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table billing.transactions drop constraint transactions_kind_check`.execute(db);
  await sql`
    alter table billing.transactions add constraint transactions_kind_check
    check (kind in ('top_up', 'charge', 'overrun'))`.execute(db);
  await sql`alter table billing.transactions add column xid xid8 not null default pg_current_xact_id()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table billing.transactions drop column xid`.execute(db);
  await sql`alter table billing.transactions drop constraint transactions_kind_check`.execute(db);
  await sql`
    alter table billing.transactions add constraint transactions_kind_check
    check (kind in ('top_up', 'charge'))`.execute(db);
}
