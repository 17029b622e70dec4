import type { Me } from '../../api/types';

/** The periods the page offers, each with the bucket its chart is drawn in. */
export const PERIODS = {
  '24h': { label: 'Last 24 hours', hours: 24, bucket: 'hour' },
  '7d': { label: 'Last 7 days', hours: 24 * 7, bucket: 'day' },
  '30d': { label: 'Last 30 days', hours: 24 * 30, bucket: 'day' },
} as const;
export type Period = keyof typeof PERIODS;

/** What spend can be broken down by; `tag` asks for the tag's key. */
export const DIMENSIONS = {
  model: 'Model',
  provider: 'Provider',
  project: 'Project',
  team: 'Team',
  key: 'API key',
  task: 'Task',
  api: 'API',
  tag: 'Tag',
} as const;
export type Dimension = keyof typeof DIMENSIONS;

export interface UsageFilters {
  orgId: string;
  period: Period;
  dimension: Dimension;
  tagKey: string;
  projectId: string | undefined;
  /** A team-scoped reader (a team admin) reads its team's usage only. */
  teamId: string | undefined;
}

/** The API's `groupBy` value of a dimension (`tag:<key>`, `model`). */
export const groupByOf = (filters: UsageFilters): string =>
  filters.dimension === 'tag' ? `tag:${filters.tagKey}` : filters.dimension;

/** The query every report of the page shares: the org, the period's start, the filters. */
export const baseQuery = (filters: UsageFilters, now: number) => ({
  orgId: filters.orgId,
  from: new Date(now - PERIODS[filters.period].hours * 3_600_000).toISOString(),
  ...(filters.projectId ? { projectId: filters.projectId } : {}),
  ...(filters.teamId ? { teamId: filters.teamId } : {}),
});

/** The team a principal must name: the one it reads usage in, when it reads it in no wider scope. */
export const usageTeamOf = (me: Me | undefined): string | undefined => {
  const held = me?.permissions.filter((entry) => entry.permission === 'usage.read') ?? [];
  return held.length > 0 && held.every((entry) => entry.teamId !== null) ? held[0]!.teamId! : undefined;
};

/** The browser's time zone for hour and day buckets (UTC when it names none). */
export const timeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** nano-USD ÷ calls, as a USD amount string, for the cost per request (display only). */
export const perCallUsd = (nanoUsd: string, calls: number): string =>
  calls === 0 ? '0' : (Number(BigInt(nanoUsd) / BigInt(calls)) / 1e9).toString();
