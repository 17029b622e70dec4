import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import type { Me } from '../../api/types';
import type { Recorded } from '../../test/fake-api';
import { OPERATOR, VIEWER, baseRoutes, fakeApi } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const USAGE = 'GET /admin/v1/usage';
/** The page and its chart library load on first use: the first render may take a while. */
const FIRST = { timeout: 5_000 };
const READER: Me = {
  ...VIEWER,
  permissions: [...VIEWER.permissions, { permission: 'usage.read', teamId: null, ownOnly: false }],
};

const group = (values: Record<string, string | null>, charged: string, extra: Record<string, unknown> = {}) => ({
  bucket: null,
  group: values,
  calls: 4,
  inputTokens: 400,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 100,
  reasoningTokens: 0,
  listCostUsd: charged,
  discountUsd: '0',
  chargedUsd: charged,
  listCostNanoUsd: String(Math.round(Number(charged) * 1e9)),
  chargedNanoUsd: String(Math.round(Number(charged) * 1e9)),
  ...extra,
});

const REFERENCE = { model: 'claude-sonnet-4-5', deploymentId: 'anthropic/claude-sonnet-4-5', qualityTier: 'frontier' };

/** Answers each report of the page by its query. */
const usageRoutes = (totalCalls = 4) => ({
  [USAGE]: ({ search }: Recorded) => {
    const query = new URLSearchParams(search);
    const groupBy = query.get('groupBy');
    if (!groupBy)
      return {
        data: [
          group({}, '0.012', {
            calls: totalCalls,
            referenceCostUsd: '0.048',
            referenceCostNanoUsd: '48000000',
            savingUsd: '0.036',
            savingNanoUsd: '36000000',
          }),
        ],
        nextCursor: null,
        reference: REFERENCE,
      };
    const rows = [group({ [groupBy]: 'gpt-4.1-mini' }, '0.01'), group({ [groupBy]: 'gpt-4.1-nano' }, '0.002')];
    if (query.get('bucket'))
      return { data: rows.map((row) => ({ ...row, bucket: '2026-01-05T00:00:00.000Z' })), nextCursor: null };
    return { data: rows, nextCursor: null };
  },
  'GET /admin/v1/usage/calls': () => ({
    data: [
      {
        requestId: 'req_1',
        occurredAt: '2026-01-05T10:00:00.000Z',
        projectId: 'proj-1',
        keyId: 'key-1',
        requestedModel: 'auto',
        model: 'gpt-4.1-nano',
        provider: 'openai',
        api: 'chat.completions',
        task: 'chat',
        outcome: 'success',
        inputTokens: 12,
        outputTokens: 30,
        chargedUsd: '0.0000126',
        chargedNanoUsd: '12600',
      },
    ],
    nextCursor: null,
  }),
});

describe('Usage and costs', () => {
  it('shows the totals, the saving from routing, spend by model and the latest calls', async () => {
    const requests = fakeApi({ ...baseRoutes(READER), ...usageRoutes() });
    renderConsole('/usage');
    expect(await screen.findByTestId('total-charged', {}, FIRST)).toHaveTextContent('$0.012');
    expect(screen.getByTestId('saving')).toHaveTextContent('$0.036');
    expect(screen.getByTestId('saving')).toHaveTextContent('75%');
    expect(screen.getByTestId('saving-explained')).toHaveTextContent('claude-sonnet-4-5');
    // Cost per request: 12,000,000 nano-USD over 4 calls.
    expect(screen.getByText('Cost per request').nextSibling).toHaveTextContent('$0.003');
    const byModel = await screen.findByRole('region', { name: 'Spend by model' });
    const rows = within(byModel).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('gpt-4.1-mini');
    expect(rows[2]).toHaveTextContent('gpt-4.1-nano');
    const calls = await screen.findByRole('region', { name: 'Latest calls, newest first' });
    expect(within(calls).getByText('req_1')).toBeInTheDocument();
    expect(within(calls).getByText('asked for auto')).toBeInTheDocument();
    const reports = requests
      .filter((request) => request.path === '/admin/v1/usage')
      .map((r) => new URLSearchParams(r.search));
    expect(reports.some((query) => query.get('savings') === 'true' && !query.get('groupBy'))).toBe(true);
    expect(reports.some((query) => query.get('bucket') === 'day' && query.get('groupBy') === 'model')).toBe(true);
    expect(reports.every((query) => query.get('orgId') === 'org-1' && query.get('from'))).toBe(true);
  });

  it('gives the chart as a table too', async () => {
    fakeApi({ ...baseRoutes(READER), ...usageRoutes() });
    renderConsole('/usage');
    await userEvent.click(await screen.findByText('Show the chart as a table', {}, FIRST));
    const table = screen.getByRole('region', { name: 'Spend over time' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((cell) => cell.textContent),
    ).toEqual(['Period', 'gpt-4.1-mini', 'gpt-4.1-nano']);
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent('$0.01');
  });

  it('breaks down by another dimension, by a tag once its key is named, and over 24 hours by hour', async () => {
    const requests = fakeApi({ ...baseRoutes(READER), ...usageRoutes() });
    renderConsole('/usage');
    await screen.findByTestId('total-charged', {}, FIRST);
    await userEvent.selectOptions(screen.getByLabelText('Break down by'), 'tag');
    expect(screen.getByText('Name the tag key to break spend down by.')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Tag key'), 'env');
    await userEvent.selectOptions(screen.getByLabelText('Period'), '24h');
    await waitFor(() =>
      expect(
        requests.some((request) => {
          const query = new URLSearchParams(request.search);
          return query.get('groupBy') === 'tag:env' && query.get('bucket') === 'hour';
        }),
      ).toBe(true),
    );
    expect(await screen.findByRole('region', { name: 'Spend by tag env' })).toBeInTheDocument();
  });

  it('exports the spend over time as CSV, every page of it', async () => {
    const pages: Record<string, string> = { '': 'bucket,model,calls\na,x,1\n', c2: 'bucket,model,calls\nb,y,2\n' };
    const requests = fakeApi({ ...baseRoutes(READER), ...usageRoutes() });
    const csvFetch = globalThis.fetch;
    vi.stubGlobal('fetch', async (input: Request) => {
      const url = new URL(input.url);
      if (url.searchParams.get('format') !== 'csv') return csvFetch(input);
      requests.push({ method: 'GET', path: url.pathname, search: url.search, headers: input.headers, body: undefined });
      const cursor = url.searchParams.get('cursor') ?? '';
      return new Response(pages[cursor], {
        headers: { 'content-type': 'text/csv', ...(cursor === '' ? { 'x-polymux-next-cursor': 'c2' } : {}) },
      });
    });
    let saved = '';
    vi.stubGlobal(
      'URL',
      Object.assign(URL, {
        createObjectURL: (blob: Blob) => (void blob.text().then((t) => (saved = t)), 'blob:x'),
        revokeObjectURL: () => {},
      }),
    );
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderConsole('/usage');
    await screen.findByTestId('total-charged', {}, FIRST);
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    await waitFor(() => expect(saved).toBe('bucket,model,calls\na,x,1\nb,y,2\n'));
    const csv = requests.filter((request) => request.search.includes('format=csv'));
    expect(csv).toHaveLength(2);
    expect(new URLSearchParams(csv[0]!.search).get('groupBy')).toBe('model');
    click.mockRestore();
  });

  it('says so when the period has no calls', async () => {
    fakeApi({ ...baseRoutes(READER), ...usageRoutes(0) });
    renderConsole('/usage');
    expect(await screen.findByText('No calls in this period')).toBeInTheDocument();
  });

  it('shows a refusal with what to do', async () => {
    fakeApi({
      ...baseRoutes(READER),
      [USAGE]: () => ({
        status: 403,
        body: { error: { message: 'usage.read is not held', type: 'permission_error', param: null, code: null } },
      }),
    });
    renderConsole('/usage');
    expect(await screen.findByRole('alert')).toHaveTextContent('Your roles do not allow this');
  });

  it('reads a team admin’s team only', async () => {
    const teamAdmin: Me = {
      ...VIEWER,
      roles: [{ role: 'team_admin', teamId: 'team-7', team: 'search' }],
      permissions: [{ permission: 'usage.read', teamId: 'team-7', ownOnly: false }],
    };
    const requests = fakeApi({ ...baseRoutes(teamAdmin), ...usageRoutes() });
    renderConsole('/usage');
    await screen.findByTestId('total-charged', {}, FIRST);
    expect(screen.getByText('Your team’s usage only.')).toBeInTheDocument();
    const reports = requests.filter((request) => request.path.startsWith('/admin/v1/usage'));
    expect(reports.every((request) => new URLSearchParams(request.search).get('teamId') === 'team-7')).toBe(true);
  });

  it('is not offered to a principal without usage.read', async () => {
    fakeApi(baseRoutes(VIEWER));
    renderConsole('/get-started');
    await screen.findByRole('navigation', { name: 'Console' });
    expect(screen.queryByRole('link', { name: 'Usage and costs' })).toBeNull();
    fakeApi(baseRoutes(OPERATOR));
  });
});
