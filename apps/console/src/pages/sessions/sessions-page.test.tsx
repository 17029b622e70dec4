import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { Recorded } from '../../test/fake-api';
import { CONFIG, OPERATOR, baseRoutes, fakeApi } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const used = { inputTokens: 10, outputTokens: 5, chargedUsd: '0.000001', listCostUsd: '0.0000015' };
const callOf = (requestId: string, parentRequestId: string | null, depth: number, latencyMs: number) => ({
  ...used,
  requestId,
  parentRequestId,
  depth,
  children: [],
  projectId: 'proj-1',
  keyId: 'k1',
  requestedModel: 'auto',
  model: 'small',
  provider: 'openai',
  deploymentId: 'sim/small',
  api: 'chat.completions',
  task: 'chat',
  status: 'success',
  stream: false,
  latencyMs,
  startedAt: '2026-01-02T03:04:05.000Z',
  endedAt: '2026-01-02T03:04:06.000Z',
});
const SESSION = {
  object: 'session',
  sessionId: 'run-42',
  orgId: 'org-1',
  totals: {
    ...used,
    calls: 2,
    chargedUsd: '0.000002',
    latencyMs: 1_250,
    wallClockMs: 2_000,
    startedAt: '2026-01-02T03:04:05.000Z',
    endedAt: '2026-01-02T03:04:07.000Z',
  },
  roots: ['req-a'],
  calls: [callOf('req-a', null, 0, 1_000), callOf('req-b', 'req-a', 1, 250)],
  truncated: false,
};
const RECENT = {
  data: [
    { group: { session: 'run-42' }, calls: 2, ...used },
    { group: { session: null }, calls: 9, ...used },
  ],
  nextCursor: null,
};
const routes = (config: unknown = CONFIG) => ({
  ...baseRoutes(OPERATOR),
  'GET /admin/v1/console/config': () => config,
  'GET /admin/v1/usage': () => RECENT,
  'GET /admin/v1/sessions/run-42': () => SESSION,
});

describe('Sessions', () => {
  it('lists the last week’s sessions and shows one’s chain with its cost and latency', async () => {
    const requests = fakeApi(routes());
    renderConsole('/sessions');
    const recent = await screen.findByRole('region', { name: 'Recent sessions' }, { timeout: 5_000 });
    expect(
      within(recent)
        .getAllByRole('rowheader')
        .map((cell) => cell.textContent),
    ).toEqual(['run-42']);
    const usage = new URLSearchParams(requests.find((request) => request.path === '/admin/v1/usage')!.search);
    expect(usage.get('groupBy')).toBe('session');
    expect(usage.get('orgId')).toBe('org-1');
    expect(Date.parse(usage.get('from')!)).toBeLessThan(Date.now() - 6 * 86_400_000);
    await userEvent.click(within(recent).getByRole('button', { name: 'Show session run-42' }));
    const chain = await screen.findByRole('region', { name: 'Call chain' });
    const child = within(chain).getByRole('rowheader', { name: /req-b/ }).closest('tr')!;
    expect(child).toHaveAttribute('data-depth', '1');
    expect(child).toHaveTextContent('led to by req-a');
    expect(child).toHaveTextContent('250 ms');
    expect(child).toHaveTextContent('$0.000001');
    expect(child).toHaveTextContent('auto → small');
    expect(screen.getByTestId('session-totals')).toHaveTextContent('$0.000002');
    expect(screen.getByTestId('session-totals')).toHaveTextContent(
      '1250 ms in calls, 2000 ms from first start to last end',
    );
    expect(
      requests.some((request) => request.path === '/admin/v1/sessions/run-42' && request.search === '?orgId=org-1'),
    ).toBe(true);
    // No Jaeger configured: no trace links.
    expect(screen.queryByRole('link', { name: /Jaeger/ })).toBeNull();
  });

  it('looks a session up by id and links each call to Jaeger when it is configured', async () => {
    fakeApi(routes({ ...CONFIG, jaeger: { url: 'http://jaeger.example:16686', service: 'polymux-ingress' } }));
    renderConsole('/sessions');
    await userEvent.type(await screen.findByLabelText('Session id', {}, { timeout: 5_000 }), 'run-42');
    await userEvent.click(screen.getByRole('button', { name: 'Show session' }));
    const link = await screen.findByRole('link', { name: 'Trace of req-b in Jaeger' });
    const url = new URL(link.getAttribute('href')!);
    expect(url.origin + url.pathname).toBe('http://jaeger.example:16686/search');
    expect(url.searchParams.get('service')).toBe('polymux-ingress');
    expect(JSON.parse(url.searchParams.get('tags')!)).toEqual({ 'polymux.request_id': 'req-b' });
    expect(Number(url.searchParams.get('start'))).toBe((Date.parse(SESSION.calls[1]!.startedAt) - 60_000) * 1_000);
    const session = new URL(screen.getByRole('link', { name: 'The session’s traces in Jaeger' }).getAttribute('href')!);
    expect(JSON.parse(session.searchParams.get('tags')!)).toEqual({ 'polymux.session_id': 'run-42' });
  });

  it('says when no charged call has the id, and when there is no recent session', async () => {
    fakeApi({
      ...routes(),
      'GET /admin/v1/usage': () => ({ data: [], nextCursor: null }),
      'GET /admin/v1/sessions/nope': ({ path }: Recorded) => ({
        status: 404,
        body: {
          error: { message: `session ${path} not found`, type: 'not_found_error', param: 'sessionId', code: null },
        },
      }),
    });
    renderConsole('/sessions?session=nope');
    expect(await screen.findByText('No charged call with session id nope', {}, { timeout: 5_000 })).toBeInTheDocument();
    expect(await screen.findByText('No session in the last week')).toBeInTheDocument();
  });
});
