import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Key scopes and rotation: the public APIs a key may call and the CIDR ranges it may be used from
 * (null: any), and the previous secret's hash with the end of its overlap after a rotation (kept
 * past it, so that a refused old secret is told it was rotated, until the next rotation).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('allowed_endpoints', sql`text[]`)
    .addColumn('ip_allowlist', sql`text[]`)
    .addColumn('previous_key_hash', 'char(64)', (col) => col.unique())
    .addColumn('previous_key_expires_at', 'timestamptz')
    .addColumn('rotated_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .dropColumn('rotated_at')
    .dropColumn('previous_key_expires_at')
    .dropColumn('previous_key_hash')
    .dropColumn('ip_allowlist')
    .dropColumn('allowed_endpoints')
    .execute();
}
