import type { Kysely } from 'kysely';

/**
 * Statements read transactions by time: an index on `created_at`, so that the planner can take a
 * short period's transactions first (and their entries by `entries(transaction_id)`) instead of
 * every entry of the org's accounts (`entries(account, id)`, the other way in).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('transactions_created_at').on('transactions').columns(['created_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('transactions_created_at').execute();
}
