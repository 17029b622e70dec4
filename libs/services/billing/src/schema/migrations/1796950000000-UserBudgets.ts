import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** Budgets of a user (the calls of their personal keys) besides those of an org, team, project or key. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table billing.budgets drop constraint budgets_scope_check`.execute(db);
  await sql`alter table billing.budgets add constraint budgets_scope_check
    check (scope in ('org', 'team', 'project', 'key', 'user'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table billing.budgets drop constraint budgets_scope_check`.execute(db);
  await sql`alter table billing.budgets add constraint budgets_scope_check
    check (scope in ('org', 'team', 'project', 'key'))`.execute(db);
}
