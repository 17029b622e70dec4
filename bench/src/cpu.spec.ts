import { postgresBackendDatabase } from './cpu';

describe('postgresBackendDatabase', () => {
  it("reads the database from a backend's title, over TCP or the local socket", () => {
    expect(postgresBackendDatabase('postgres: 15/main: postgres polymux_bench_1a2b 127.0.0.1(50886) idle')).toBe(
      'polymux_bench_1a2b',
    );
    expect(postgresBackendDatabase('postgres: 15/main: app polymux [local] SELECT')).toBe('polymux');
  });

  it("gives none for the server's own processes", () => {
    for (const title of [
      '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main',
      'postgres: 15/main: checkpointer',
      'postgres: 15/main: logical replication launcher',
      'postgres: 15/main: autovacuum worker polymux',
    ])
      expect(postgresBackendDatabase(title)).toBeUndefined();
  });
});
