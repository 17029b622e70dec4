import type { Kysely } from 'kysely';

/** Indexes of the audit query's filters, each with `seq` for its newest-first pages. */
const FILTER_INDEXES: Array<[name: string, columns: string[]]> = [
  ['records_actor_key_id', ['actor_key_id', 'seq']],
  ['records_actor_user_id', ['actor_user_id', 'seq']],
  ['records_action', ['action', 'seq']],
  ['records_category', ['category', 'seq']],
  ['records_project_id', ['project_id', 'seq']],
  ['records_occurred_at', ['occurred_at']],
];

/**
 * Who did an administrative action from where, and what it changed: the actor's user, the caller's
 * source address, and the target's state before and after (secrets removed by control). Null in
 * the records stored before, whose hashes cover none of them. Plus the indexes of the query's filters
 * (request and org have theirs since the first migration).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('records')
    .addColumn('actor_user_id', 'text')
    .addColumn('source_address', 'text')
    .addColumn('before_state', 'jsonb')
    .addColumn('after_state', 'jsonb')
    .execute();
  for (const [name, columns] of FILTER_INDEXES)
    await db.schema.createIndex(name).on('records').columns(columns).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name] of FILTER_INDEXES) await db.schema.dropIndex(name).execute();
  await db.schema
    .alterTable('records')
    .dropColumn('after_state')
    .dropColumn('before_state')
    .dropColumn('source_address')
    .dropColumn('actor_user_id')
    .execute();
}
