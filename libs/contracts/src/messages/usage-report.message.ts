import { z } from 'zod';

import { TAG_KEY } from '../usage-tags';
import { Money } from './money';
import { Pricing } from './plan.message';

/** What usage can be grouped by: a call's ids and route, a tag's value (`tag:<key>`), or its session. */
export const USAGE_DIMENSIONS = [
  'org',
  'team',
  'project',
  'key',
  'user',
  'model',
  'provider',
  'deployment',
  'task',
  'api',
  'session',
] as const;
export const FixedUsageDimension = z.enum(USAGE_DIMENSIONS);
export type FixedUsageDimension = z.infer<typeof FixedUsageDimension>;
export const UsageDimension = z.union([
  FixedUsageDimension,
  z
    .string()
    .max(68)
    .refine((name) => name.startsWith('tag:') && TAG_KEY.test(name.slice(4)), 'tag:<key>'),
]);
export type UsageDimension = z.infer<typeof UsageDimension>;

/** Time buckets of a grouped report, calendar-aligned in the query's time zone. */
export const UsageBucket = z.enum(['hour', 'day']);
export type UsageBucket = z.infer<typeof UsageBucket>;

/** Which usage rows a report covers: one org, a time range (`from` inclusive, `to` exclusive), any dimension's value. */
export const UsageFilters = z.object({
  orgId: z.string().min(1),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  teamId: z.string().optional(),
  projectId: z.string().optional(),
  keyId: z.string().optional(),
  userId: z.string().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
  deploymentId: z.string().optional(),
  task: z.string().optional(),
  api: z.string().optional(),
  sessionId: z.string().optional(),
  parentRequestId: z.string().optional(),
  /** Every one of these tags, with these values. */
  tags: z.record(z.string(), z.string()).optional(),
});
export type UsageFilters = z.infer<typeof UsageFilters>;

const Page = { limit: z.number().int().min(1).max(1000), cursor: z.string().max(4096).optional() };

export const UsageReportQuery = UsageFilters.extend({
  groupBy: z.array(UsageDimension).max(8),
  bucket: UsageBucket.optional(),
  /** IANA zone the buckets' hours and days follow. */
  timezone: z.string().default('UTC'),
  /**
   * Prices the groups' calls on this model too (`referenceCost`): the reference of the routing
   * saving, the strongest model (`CatalogView.reference`), at the prices a call on it is charged.
   */
  reference: z.object({ pricing: Pricing }).optional(),
  ...Page,
});
export type UsageReportQuery = z.infer<typeof UsageReportQuery>;

export const UsageCallsQuery = UsageFilters.extend(Page);
export type UsageCallsQuery = z.infer<typeof UsageCallsQuery>;

/** What calls used and cost: token counts by kind, money in integer nano-USD. */
export const UsageTotals = z.object({
  calls: z.number().int(),
  inputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  outputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  listCost: Money,
  discount: Money,
  charged: Money,
});
export type UsageTotals = z.infer<typeof UsageTotals>;

/** One group of a report: its bucket's first instant (when bucketed), each grouped dimension's value, its totals. */
export const UsageGroup = UsageTotals.extend({
  bucket: z.string().nullable(),
  group: z.record(z.string(), z.string().nullable()),
  /**
   * With the query's `reference`: the list cost of the group's calls had each been made on it, priced
   * per call like a charge (`callCost`); embeddings calls at their own list cost (`auto` routes none).
   */
  referenceCost: Money.optional(),
});
export type UsageGroup = z.infer<typeof UsageGroup>;

export const UsageReport = z.object({ groups: z.array(UsageGroup), nextCursor: z.string().nullable() });
export type UsageReport = z.infer<typeof UsageReport>;

/** One charged call's usage row. */
export const UsageCall = z.object({
  requestId: z.string(),
  orgId: z.string(),
  teamId: z.string().nullable(),
  projectId: z.string(),
  keyId: z.string(),
  userId: z.string().nullable(),
  requestedModel: z.string(),
  model: z.string(),
  provider: z.string(),
  deploymentId: z.string(),
  api: z.string(),
  task: z.string(),
  inputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  outputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  listCost: Money,
  discount: Money,
  charged: Money,
  tags: z.record(z.string(), z.string()),
  sessionId: z.string().nullable(),
  parentRequestId: z.string().nullable(),
  outcome: z.string(),
  stream: z.boolean(),
  durationMs: z.number().int(),
  occurredAt: z.string(),
});
export type UsageCall = z.infer<typeof UsageCall>;

export const UsageCalls = z.object({ calls: z.array(UsageCall), nextCursor: z.string().nullable() });
export type UsageCalls = z.infer<typeof UsageCalls>;
