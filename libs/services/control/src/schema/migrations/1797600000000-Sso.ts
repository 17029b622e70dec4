import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * SSO: a user's identity at the IdP (issuer and subject, unique together; null for users created
 * through the admin API), logins in progress between the redirect to the IdP and its callback, and
 * the sessions a login opens. Every secret is stored as its sha256 only, except the IdP's refresh
 * token, which is sealed with POLYMUX_CREDENTIALS_KEY (and not kept without one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('idp_issuer', 'text').addColumn('idp_subject', 'text').execute();
  await db.schema
    .createIndex('users_idp_subject')
    .unique()
    .on('users')
    .columns(['idp_issuer', 'idp_subject'])
    .execute();
  await db.schema
    .createTable('sso_logins')
    .addColumn('state_hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('browser_hash', 'char(64)', (col) => col.notNull())
    .addColumn('code_verifier', 'text', (col) => col.notNull())
    .addColumn('nonce', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('sso_sessions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'char(64)', (col) => col.notNull().unique())
    .addColumn('refresh_hash', 'char(64)', (col) => col.notNull().unique())
    .addColumn('previous_refresh_hash', 'char(64)', (col) => col.unique())
    .addColumn('idp_refresh_token', 'text')
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('absolute_expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('refreshed_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sso_sessions_user').on('sso_sessions').columns(['user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sso_sessions').execute();
  await db.schema.dropTable('sso_logins').execute();
  await db.schema.dropIndex('users_idp_subject').execute();
  await db.schema.alterTable('users').dropColumn('idp_subject').dropColumn('idp_issuer').execute();
}
