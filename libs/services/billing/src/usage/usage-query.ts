import type { Pricing, UsageCallsQuery, UsageDimension, UsageFilters, UsageReportQuery } from '@polymux/contracts';
import { ErrorCode, PolymuxException, pricesAt } from '@polymux/contracts';
import type { Expression, ExpressionBuilder, Kysely, RawBuilder, SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';

import type { DB } from '../schema/db';

type UsageQueryBuilder<O> = SelectQueryBuilder<DB, 'usage', O>;

/** The column each fixed dimension groups by (nullable ones read as '' so that keys compare and page). */
const DIMENSION_COLUMNS = {
  org: 'org_id',
  team: 'team_id',
  project: 'project_id',
  key: 'key_id',
  user: 'user_id',
  model: 'model',
  provider: 'provider',
  deployment: 'deployment_id',
  task: 'task',
  api: 'api',
  session: 'session_id',
} as const;

/** The filters that match one column's value. */
const FILTER_COLUMNS = {
  teamId: 'team_id',
  projectId: 'project_id',
  keyId: 'key_id',
  userId: 'user_id',
  model: 'model',
  provider: 'provider',
  deploymentId: 'deployment_id',
  task: 'task',
  api: 'api',
  sessionId: 'session_id',
  parentRequestId: 'parent_request_id',
} as const satisfies Partial<Record<keyof UsageFilters, string>>;

/** A dimension's value in a row, never null: a missing team, user, session or tag reads as ''. */
export const dimensionExpression = (dimension: UsageDimension): RawBuilder<string> => {
  if (dimension.startsWith('tag:')) return sql<string>`coalesce(tags ->> ${dimension.slice(4)}, '')`;
  const column = DIMENSION_COLUMNS[dimension as keyof typeof DIMENSION_COLUMNS];
  return sql<string>`coalesce(${sql.ref(column)}, '')`;
};

/** An ISO instant as a timestamptz parameter: text, since a Date from another realm does not serialise in PGlite. */
const instantOf = (iso: string) => sql<Date>`${new Date(iso).toISOString()}::timestamptz`;

/** The rows the filters select: one org, `from` ≤ occurred_at < `to`, each named value, every named tag. */
export const filtered = <O>(query: UsageQueryBuilder<O>, filters: UsageFilters): UsageQueryBuilder<O> => {
  let where = query.where('org_id', '=', filters.orgId);
  if (filters.from !== undefined) where = where.where('occurred_at', '>=', instantOf(filters.from));
  if (filters.to !== undefined) where = where.where('occurred_at', '<', instantOf(filters.to));
  for (const [filter, column] of Object.entries(FILTER_COLUMNS)) {
    const value = filters[filter as keyof typeof FILTER_COLUMNS];
    if (value !== undefined) where = where.where(column, '=', value);
  }
  if (filters.tags && Object.keys(filters.tags).length > 0) {
    where = where.where(sql<boolean>`tags @> ${JSON.stringify(filters.tags)}::jsonb`);
  }
  return where;
};

/** An opaque page cursor: the last row's sort keys, and which query they belong to. */
export const encodeCursor = (query: string, values: string[]): string =>
  Buffer.from(JSON.stringify({ q: query, v: values })).toString('base64url');

export const decodeCursor = (cursor: string, query: string, size: number): string[] => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const { q, v } = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as { q?: unknown; v?: unknown };
  if (q !== query || !Array.isArray(v) || v.length !== size || !v.every((value) => typeof value === 'string')) {
    throw new PolymuxException(ErrorCode.InvalidRequest, 'cursor is not a cursor of this query', { param: 'cursor' });
  }
  return v as string[];
};

/** A cursor's instant, checked before Postgres casts it. */
const instant = (value: string): void => {
  if (Number.isNaN(Date.parse(value)))
    throw new PolymuxException(ErrorCode.InvalidRequest, 'cursor is not a cursor of this query', { param: 'cursor' });
};

const after = (keys: Expression<unknown>[], values: Expression<unknown>[], operator: '>' | '<') =>
  sql<boolean>`(${sql.join(keys)}) ${sql.raw(operator)} (${sql.join(values)})`;

/** What a grouped report's query and its cursors are keyed by. */
export const reportShape = (query: UsageReportQuery): string =>
  [query.bucket ? `${query.bucket}@${query.timezone}` : '-', ...query.groupBy].join('|');

const total = (column: string) => sql<string>`coalesce(sum(${sql.ref(column)}), 0)::text`.as(column);

/** The totals of a group of rows, as text: its calls, tokens by kind and money. */
export const totalsSelection = () => [
  sql<string>`count(*)::text`.as('calls'),
  ...(
    [
      'input_tokens',
      'cached_input_tokens',
      'cache_write_tokens',
      'output_tokens',
      'reasoning_tokens',
      'list_cost',
      'discount',
      'charged',
    ] as const
  ).map(total),
];

/** A nano-USD amount or token count as an exact numeric parameter (products of two exceed bigint). */
const exact = (value: string | bigint) => sql`${String(value)}::numeric`;

/**
 * A row's cost at one set of prices, exactly as `callCost` prices a call: cached reads and cache
 * writes (part of the input) and reasoning (part of the output) at their own prices, counts capped
 * as it caps them, rounded up to a whole nano-USD per call, plus the fee per request.
 */
const costAt = (pricing: Pricing): RawBuilder<unknown> => {
  const input = exact(pricing.inputPerMTok);
  const output = exact(pricing.outputPerMTok);
  const cached = sql`least(cached_input_tokens, input_tokens)`;
  const written = sql`least(cache_write_tokens, input_tokens - ${cached})`;
  const reasoning = sql`least(reasoning_tokens, output_tokens)`;
  const tokens = sql`(input_tokens - ${cached} - ${written})::numeric * ${input}
    + ${cached}::numeric * ${exact(pricing.cachedInputPerMTok ?? pricing.inputPerMTok)}
    + ${written}::numeric * ${exact(pricing.cacheWritePerMTok ?? pricing.inputPerMTok)}
    + (output_tokens - ${reasoning})::numeric * ${output}
    + ${reasoning}::numeric * ${exact(pricing.reasoningPerMTok ?? pricing.outputPerMTok)}`;
  return sql`ceil((${tokens}) / 1000000) + ${exact(pricing.perRequest ?? '0')}`;
};

/**
 * What a row would have cost on the reference pricing: at the long-context tier its input passes
 * (the highest, as `pricesAt` takes it), else the base prices. An embeddings call keeps its own list
 * cost: `auto` routes chat calls only, so there is nothing routing could have chosen instead.
 */
export const referenceCostExpression = (pricing: Pricing): RawBuilder<unknown> => {
  const tiers = [...(pricing.tiers ?? [])].sort((a, b) => b.aboveInputTokens - a.aboveInputTokens);
  const levels = tiers.map(
    (tier) =>
      sql`when input_tokens > ${tier.aboveInputTokens} then ${costAt(pricesAt(pricing, tier.aboveInputTokens + 1))}`,
  );
  return sql`case when api = 'embeddings' then list_cost::numeric ${sql.join(levels, sql` `)} else ${costAt(pricing)} end`;
};

/** The reference cost of a group of rows, as text (a whole number of nano-USD). */
const referenceTotal = (pricing: Pricing) =>
  sql<string>`trunc(coalesce(sum(${referenceCostExpression(pricing)}), 0))::text`.as('reference_cost');

/**
 * The grouped report: one row per bucket (the hour or day in the query's zone, when bucketed) and
 * value of each grouped dimension, ordered by them, with its totals. Grouped and ordered by select
 * position, so a tag's key is a parameter once. Keyset pages: the keys after the cursor's, one more
 * row than the limit (a next page exists when it comes back).
 */
export const reportQuery = (db: Kysely<DB>, query: UsageReportQuery) => {
  const keys: RawBuilder<unknown>[] = [
    ...(query.bucket ? [sql`date_trunc(${query.bucket}, occurred_at, ${query.timezone})`] : []),
    ...query.groupBy.map(dimensionExpression),
  ];
  let select = filtered(db.selectFrom('usage'), query).select([
    ...keys.map((key, index) => key.as(`k${index}`)),
    ...totalsSelection(),
    ...(query.reference ? [referenceTotal(query.reference.pricing)] : []),
  ]);
  if (query.cursor !== undefined) {
    const values = decodeCursor(query.cursor, reportShape(query), keys.length);
    if (query.bucket) instant(values[0]!);
    const typed = values.map((value, index) =>
      query.bucket && index === 0 ? sql`${value}::timestamptz` : sql`${value}`,
    );
    select = select.where(after(keys, typed, '>'));
  }
  const positions = keys.map((_, index) => sql.raw(String(index + 1)));
  if (positions.length > 0) select = select.groupBy(positions);
  for (const position of positions) select = select.orderBy(position);
  return select.limit(query.limit + 1);
};

/** The call listing, newest first (ties by request id), keyset-paged like the report. */
export const callsQuery = (db: Kysely<DB>, query: UsageCallsQuery) => {
  let select = filtered(db.selectFrom('usage'), query).selectAll();
  if (query.cursor !== undefined) {
    const [occurredAt, requestId] = decodeCursor(query.cursor, 'calls', 2);
    instant(occurredAt!);
    select = select.where((eb: ExpressionBuilder<DB, 'usage'>) =>
      after([eb.ref('occurred_at'), eb.ref('request_id')], [sql`${occurredAt}::timestamptz`, sql`${requestId}`], '<'),
    );
  }
  return select
    .orderBy('occurred_at', 'desc')
    .orderBy('request_id', 'desc')
    .limit(query.limit + 1);
};
