import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * A session's call chain is looked up by its id alone when the admin API names no org
 * (`GET /admin/v1/sessions/:sessionId`): `usage_org_session` leads with the org, so it cannot serve that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('usage_session')
    .on('usage')
    .column('session_id')
    .where(sql.ref('session_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('usage_session').execute();
}
