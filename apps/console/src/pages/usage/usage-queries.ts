import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { Page, UsageCall, UsageReport } from '../../api/types';
import type { UsageFilters } from './usage-params';
import { PERIODS, baseQuery, groupByOf, timeZone } from './usage-params';

/** Groups a report answers at once: the API's most; the CSV export reads every page. */
const REPORT_LIMIT = 1000;

type ReportQuery = ReturnType<typeof baseQuery> & {
  groupBy?: string;
  bucket?: 'hour' | 'day';
  timezone?: string;
  savings?: 'true' | 'false';
};

const report = (query: ReportQuery) =>
  call<UsageReport>(api.GET('/admin/v1/usage', { params: { query: { ...query, limit: REPORT_LIMIT } } }));

/**
 * The page's reports, all over the same org, period and filters: the totals with the routing
 * saving, spend by bucket and the chosen dimension, the dimension's totals, the models' totals,
 * and the latest calls. `now` is fixed when the filters change, so the queries share one period.
 */
export const useUsageReports = (filters: UsageFilters | undefined, now: number) => {
  const enabled = !!filters && (filters.dimension !== 'tag' || filters.tagKey !== '');
  const base = filters ? baseQuery(filters, now) : undefined;
  const groupBy = filters ? groupByOf(filters) : '';
  const bucket = filters ? PERIODS[filters.period].bucket : 'day';
  const options = { enabled, placeholderData: keepPreviousData } as const;
  return {
    totals: useQuery({
      queryKey: ['usage', 'totals', base],
      queryFn: () => report({ ...base!, savings: 'true' }),
      ...options,
    }),
    overTime: useQuery({
      queryKey: ['usage', 'over-time', base, groupBy, bucket],
      queryFn: () => report({ ...base!, groupBy, bucket, timezone: timeZone() }),
      ...options,
    }),
    byDimension: useQuery({
      queryKey: ['usage', 'by', base, groupBy],
      queryFn: () => report({ ...base!, groupBy, savings: 'true' }),
      ...options,
    }),
    byModel: useQuery({
      queryKey: ['usage', 'by', base, 'model'],
      queryFn: () => report({ ...base!, groupBy: 'model' }),
      ...options,
    }),
    calls: useQuery({
      queryKey: ['usage', 'calls', base],
      queryFn: () =>
        call<Page<UsageCall>>(api.GET('/admin/v1/usage/calls', { params: { query: { ...base!, limit: 20 } } })),
      ...options,
    }),
  };
};

/** Every page of the spend-over-time report as one CSV (the header once), as the API writes it. */
export const usageCsv = async (filters: UsageFilters, now: number): Promise<string> => {
  const query = {
    ...baseQuery(filters, now),
    groupBy: groupByOf(filters),
    bucket: PERIODS[filters.period].bucket,
    timezone: timeZone(),
    format: 'csv' as const,
    limit: REPORT_LIMIT,
  };
  let text = '';
  let cursor: string | undefined;
  do {
    let answer;
    try {
      answer = await api.GET('/admin/v1/usage', {
        params: { query: { ...query, ...(cursor ? { cursor } : {}) } },
        parseAs: 'text',
      });
    } catch {
      throw new ApiError(0, 'the gateway did not answer');
    }
    if (!answer.response.ok) throw ApiError.of(answer.response.status, safeJson(answer.error));
    const page = String(answer.data ?? '');
    text += text === '' ? page : page.slice(page.indexOf('\n') + 1);
    cursor = answer.response.headers.get('x-polymux-next-cursor') ?? undefined;
  } while (cursor);
  return text;
};

const safeJson = (error: unknown): unknown => {
  try {
    return typeof error === 'string' ? JSON.parse(error) : error;
  } catch {
    return error;
  }
};

/** Hands a text to the browser as a file download. */
export const download = (name: string, text: string, type: string) => {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
};
