import type { Kysely, Migration, MigrationResultSet } from 'kysely';
import { Migrator, sql } from 'kysely';

/** Migrations of one service, keyed `<epochMs>-<Name>`; they live in the service's own schema. */
export type MigrationSet = Record<string, Migration>;

/** Postgres errors of a `create schema if not exists` that lost a race with another replica's. */
const SCHEMA_RACE_CODES = new Set(['23505', '42P06']);

/** `if not exists` does not make it atomic: replicas starting together race on the catalog row. */
const createSchema = async (root: Kysely<unknown>, schema: string): Promise<void> => {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(root);
  } catch (error) {
    if (!SCHEMA_RACE_CODES.has((error as { code?: string }).code ?? '')) throw error;
  }
};

/** Brings a service's schema up to date; safe to run from many replicas at once (Kysely takes a lock). */
export const migrateToLatest = async (
  root: Kysely<unknown>,
  schema: string,
  migrations: MigrationSet,
): Promise<MigrationResultSet> => {
  await createSchema(root, schema);
  const migrator = new Migrator({
    db: root.withSchema(schema),
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
};
