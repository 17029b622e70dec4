import type { UsageReportQuery } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';

import type { DB } from '../schema/db';
import { callsQuery, encodeCursor, reportQuery, reportShape } from './usage-query';

/** Compiles queries as for Postgres without a database. */
const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const report = (query: Partial<UsageReportQuery>) =>
  reportQuery(db, { orgId: 'org-1', groupBy: [], timezone: 'UTC', limit: 10, ...query }).compile();

describe('reportQuery', () => {
  it('totals one org without grouping: no group by, one row', () => {
    const { sql, parameters } = report({});
    expect(sql).toContain('where "org_id" = $1');
    expect(sql).not.toContain('group by');
    expect(sql).toContain('coalesce(sum("charged"), 0)::text as "charged"');
    expect(parameters).toEqual(['org-1', 11]);
  });

  it('groups by the bucket and each dimension by position, the tag key a parameter', () => {
    const { sql, parameters } = report({
      groupBy: ['model', 'tag:env', 'team'],
      bucket: 'day',
      timezone: 'Europe/Berlin',
    });
    expect(sql).toContain(
      `select date_trunc($1, occurred_at, $2) as "k0", coalesce("model", '') as "k1", coalesce(tags ->> $3, '') as "k2", coalesce("team_id", '') as "k3"`,
    );
    expect(sql).toContain('group by 1, 2, 3, 4 order by 1, 2, 3, 4 limit $5');
    expect(parameters).toEqual(['day', 'Europe/Berlin', 'env', 'org-1', 11]);
  });

  it('filters by time range, every named dimension and tag containment', () => {
    const { sql, parameters } = report({
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
      projectId: 'p-1',
      sessionId: 'sess-1',
      tags: { env: 'prod' },
    });
    expect(sql).toContain(
      'where "org_id" = $1 and "occurred_at" >= $2::timestamptz and "occurred_at" < $3::timestamptz and "project_id" = $4 and "session_id" = $5 and tags @> $6::jsonb',
    );
    expect(parameters.slice(1, 3)).toEqual(['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
    expect(parameters[5]).toBe('{"env":"prod"}');
  });

  it('pages after the cursor keys, compared as one row value', () => {
    const query = { groupBy: ['model' as const], bucket: 'hour' as const, timezone: 'UTC' };
    const cursor = encodeCursor(reportShape({ orgId: 'o', limit: 1, ...query }), ['2026-01-01T10:00:00.000Z', 'm']);
    const { sql, parameters } = report({ ...query, cursor });
    expect(sql).toContain(`(date_trunc($4, occurred_at, $5), coalesce("model", '')) > ($6::timestamptz, $7)`);
    expect(parameters.slice(5, 7)).toEqual(['2026-01-01T10:00:00.000Z', 'm']);
  });

  it.each([
    ['another query', encodeCursor('-|provider', ['x'])],
    ['garbage', 'not-base64-json'],
    ['a bad instant', encodeCursor('hour@UTC|model', ['yesterday', 'm'])],
  ])('refuses the cursor of %s', (_, cursor) => {
    expect(() => report({ groupBy: ['model'], bucket: 'hour', cursor })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidRequest, details: { param: 'cursor' } }),
    );
  });
});

describe('callsQuery', () => {
  it('lists newest first, paging before the cursor row', () => {
    const cursor = encodeCursor('calls', ['2026-01-01T10:00:00.000Z', 'req_9']);
    const { sql, parameters } = callsQuery(db, { orgId: 'org-1', limit: 2, cursor, model: 'm' }).compile();
    expect(sql).toContain(
      'where "org_id" = $1 and "model" = $2 and ("occurred_at", "request_id") < ($3::timestamptz, $4)',
    );
    expect(sql).toContain('order by "occurred_at" desc, "request_id" desc limit $5');
    expect(parameters).toEqual(['org-1', 'm', '2026-01-01T10:00:00.000Z', 'req_9', 3]);
  });
});
