import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { Logger } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';

const logger = new Logger('Database');

interface Shared {
  db: Kysely<unknown>;
  users: number;
}

/**
 * One root connection per process and target: services share it through `withSchema`, which
 * matters for PGlite, whose single connection must be serialised by one driver.
 */
const shared = new Map<string, Promise<Shared>>();

const open = async (config: PolymuxConfig['database']): Promise<Kysely<unknown>> => {
  if (config.kind === 'postgres') {
    const pool = new Pool({ connectionString: config.url, max: 10 });
    // An idle connection that Postgres (or the network) drops emits here; unheard, it would kill the
    // process. The pool replaces it, and queries meanwhile fail on their own.
    pool.on('error', (error) => logger.warn(`idle Postgres connection lost: ${error.message}`));
    return new Kysely({ dialect: new PostgresDialect({ pool }) });
  }
  const dir = join(config.dataDir, 'pg');
  mkdirSync(dir, { recursive: true });
  // Embedded mode only: a distributed service never loads PGlite or its dialect.
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  return new Kysely({ dialect: new PGliteDialect(await PGlite.create(dir)) });
};

const keyOf = (config: PolymuxConfig['database']) =>
  config.kind === 'postgres' ? config.url : `pglite:${config.dataDir}`;

export const acquireDatabase = async (config: PolymuxConfig['database']): Promise<Kysely<unknown>> => {
  const key = keyOf(config);
  let entry = shared.get(key);
  if (!entry) {
    entry = open(config).then((db) => ({ db, users: 0 }));
    shared.set(key, entry);
  }
  const resolved = await entry;
  resolved.users += 1;
  return resolved.db;
};

export const releaseDatabase = async (config: PolymuxConfig['database']): Promise<void> => {
  const key = keyOf(config);
  const entry = shared.get(key);
  if (!entry) return;
  const resolved = await entry;
  resolved.users -= 1;
  if (resolved.users > 0) return;
  shared.delete(key);
  await resolved.db.destroy();
};
