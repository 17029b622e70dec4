import { Injectable } from '@nestjs/common';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type {
  SessionAnswer,
  SessionQuery,
  UsageCall,
  UsageCalls,
  UsageCallsQuery,
  UsageGroup,
  UsageReport,
  UsageReportQuery,
} from '@polymux/contracts';
import type { Selectable } from 'kysely';

import type { UsageTable } from '../schema/tables/usage.table';
import { encodeCursor, reportShape } from './usage-query';
import type { ReportRow, SessionTotalsRow } from './usage.repository';
import { UsageRepository } from './usage.repository';

const isoOf = (value: unknown): string => (value instanceof Date ? value : new Date(String(value))).toISOString();

/** The page of `rows` (one more than `limit` was asked for) and whether another follows. */
const page = <T>(rows: T[], limit: number): { rows: T[]; more: boolean } => ({
  rows: rows.slice(0, limit),
  more: rows.length > limit,
});

const totalsOf = (row: ReportRow) => ({
  calls: Number(row.calls),
  inputTokens: Number(row.input_tokens),
  cachedInputTokens: Number(row.cached_input_tokens),
  cacheWriteTokens: Number(row.cache_write_tokens),
  outputTokens: Number(row.output_tokens),
  reasoningTokens: Number(row.reasoning_tokens),
  listCost: row.list_cost,
  discount: row.discount,
  charged: row.charged,
});

const callOf = (row: Selectable<UsageTable>): UsageCall => ({
  requestId: row.request_id,
  orgId: row.org_id,
  teamId: row.team_id,
  projectId: row.project_id,
  keyId: row.key_id,
  userId: row.user_id,
  requestedModel: row.requested_model,
  model: row.model,
  provider: row.provider,
  deploymentId: row.deployment_id,
  api: row.api,
  task: row.task,
  inputTokens: Number(row.input_tokens),
  cachedInputTokens: Number(row.cached_input_tokens),
  cacheWriteTokens: Number(row.cache_write_tokens),
  outputTokens: Number(row.output_tokens),
  reasoningTokens: Number(row.reasoning_tokens),
  listCost: String(row.list_cost),
  discount: String(row.discount),
  charged: String(row.charged),
  tags: row.tags,
  sessionId: row.session_id,
  parentRequestId: row.parent_request_id,
  outcome: row.outcome,
  stream: row.stream,
  durationMs: row.duration_ms,
  occurredAt: isoOf(row.occurred_at),
});

const sessionTotalsOf = (row: SessionTotalsRow) => ({
  ...totalsOf(row),
  latencyMs: Number(row.latency_ms),
  startedAt: isoOf(row.started_at),
  endedAt: isoOf(row.ended_at),
});

/** Billing's usage reports (`billing.usage.{query,calls.query,session.query}.v1`): rows to the contract's shapes. */
@Injectable()
export class UsageReports {
  constructor(private readonly repository: UsageRepository) {}

  async report(query: UsageReportQuery): Promise<UsageReport> {
    const { rows, more } = page(await this.repository.report(query), query.limit);
    const offset = query.bucket ? 1 : 0;
    const keysOf = (row: ReportRow): string[] => [
      ...(query.bucket ? [isoOf(row.k0)] : []),
      ...query.groupBy.map((_, index) => String(row[`k${index + offset}`])),
    ];
    const groups = rows.map((row): UsageGroup => ({
      bucket: query.bucket ? isoOf(row.k0) : null,
      group: Object.fromEntries(
        query.groupBy.map((dimension, index) => {
          const value = String(row[`k${index + offset}`]);
          return [dimension, value === '' ? null : value];
        }),
      ),
      ...totalsOf(row),
      ...(row.reference_cost === undefined ? {} : { referenceCost: row.reference_cost }),
    }));
    const last = rows.at(-1);
    return { groups, nextCursor: more && last ? encodeCursor(reportShape(query), keysOf(last)) : null };
  }

  async calls(query: UsageCallsQuery): Promise<UsageCalls> {
    const { rows, more } = page(await this.repository.calls(query), query.limit);
    const calls = rows.map(callOf);
    const last = calls.at(-1);
    return { calls, nextCursor: more && last ? encodeCursor('calls', [last.occurredAt, last.requestId]) : null };
  }

  /**
   * A session's calls and totals. Its id is the caller's, unique only within an org: without an
   * org named, an id that two orgs use is refused rather than two sessions merged into one.
   */
  async session(query: SessionQuery): Promise<SessionAnswer> {
    const orgs = await this.repository.sessionTotals(query);
    const [totals] = orgs;
    if (!totals) return { session: null };
    if (orgs.length > 1)
      throw new PolymuxException(
        ErrorCode.InvalidRequest,
        `session ${query.sessionId} has calls in more than one org: name one with orgId`,
        { param: 'orgId' },
      );
    const { rows, more } = page(await this.repository.sessionCalls(totals.org_id, query), query.limit);
    return {
      session: {
        orgId: totals.org_id,
        calls: rows.map((row) => ({ ...callOf(row), startedAt: isoOf(row.started_at) })),
        totals: sessionTotalsOf(totals),
        truncated: more,
      },
    };
  }
}
