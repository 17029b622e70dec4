import { ConfigError, loadConfig } from '@polymux/config';
import type { MigrationSet } from '@polymux/database';

/** `main.js --migrate-only`: brings the service's schema up to date, then exits (0 on success). */
export const migrateOnly = (service: string, schema: string, migrations: MigrationSet): void => {
  const run = async () => {
    const config = loadConfig(service);
    // Loaded here, not at import: services without a database never load Kysely or pg through the runtime.
    const { acquireDatabase, migrateToLatest, releaseDatabase } = await import('@polymux/database');
    const db = await acquireDatabase(config.database);
    try {
      const { results = [] } = await migrateToLatest(db, schema, migrations);
      for (const result of results) console.log(`${service}: migration ${result.migrationName} ${result.status}`);
      console.log(`${service}: schema ${schema} is up to date`);
    } finally {
      await releaseDatabase(config.database);
    }
  };
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(error.message);
      else console.error(`${service} migration failed:`, error);
      process.exit(1);
    },
  );
};
