import type { Kysely, Migration, MigrationResultSet } from 'kysely';
import { Migrator, sql } from 'kysely';

/** Migrations of one service, keyed `<epochMs>-<Name>`; they live in the service's own schema. */
export type MigrationSet = Record<string, Migration>;

/** Brings a service's schema up to date; safe to run from many replicas at once (Kysely takes a lock). */
export const migrateToLatest = async (
  root: Kysely<unknown>,
  schema: string,
  migrations: MigrationSet,
): Promise<MigrationResultSet> => {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(root);
  const migrator = new Migrator({
    db: root.withSchema(schema),
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
};
