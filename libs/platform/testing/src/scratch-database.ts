import { randomUUID } from 'node:crypto';

import { Client } from 'pg';

export interface ScratchDatabase {
  /** Connection string of the new, empty database. */
  url: string;
  /** Drops it, closing whatever is still connected. */
  drop: () => Promise<void>;
}

/**
 * An empty Postgres database of a test's own, on the server of `baseUrl`: for tests that need a
 * first start (bootstrap, migrations) or that tamper with rows other tests would verify.
 */
export const createScratchDatabase = async (baseUrl: string, label: string): Promise<ScratchDatabase> => {
  const name = `${label}_${randomUUID().slice(0, 8)}`.replace(/[^a-z0-9_]/g, '_');
  const run = async (statement: string) => {
    const admin = new Client({ connectionString: baseUrl });
    await admin.connect();
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
};
