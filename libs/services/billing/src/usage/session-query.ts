import type { SessionQuery } from '@polymux/contracts';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import type { DB } from '../schema/db';
import { totalsSelection } from './usage-query';

/** When a call began: its usage row's time is its end (settlement), `duration_ms` after its start. */
const startedAt = sql<Date>`occurred_at - duration_ms * interval '1 millisecond'`;

const sessionRows = (db: Kysely<DB>, sessionId: string, orgId: string | undefined) => {
  const rows = db.selectFrom('usage').where('session_id', '=', sessionId);
  return orgId === undefined ? rows : rows.where('org_id', '=', orgId);
};

/**
 * A session's totals per org, at most two: one is the session, two say its id is used in more than
 * one org (it is the caller's, unique only within an org) and the query must name one.
 */
export const sessionTotalsQuery = (db: Kysely<DB>, query: SessionQuery) =>
  sessionRows(db, query.sessionId, query.orgId)
    .select([
      'org_id',
      ...totalsSelection(),
      sql<string>`coalesce(sum(duration_ms), 0)::text`.as('latency_ms'),
      sql<Date>`min(${startedAt})`.as('started_at'),
      sql<Date>`max(occurred_at)`.as('ended_at'),
    ])
    .groupBy('org_id')
    .orderBy('org_id')
    .limit(2);

/** The session's calls in one org by when each started (ties by request id), one more than the limit. */
export const sessionCallsQuery = (db: Kysely<DB>, orgId: string, query: SessionQuery) =>
  sessionRows(db, query.sessionId, orgId)
    .selectAll()
    .select(startedAt.as('started_at'))
    .orderBy(startedAt)
    .orderBy('request_id')
    .limit(query.limit + 1);
