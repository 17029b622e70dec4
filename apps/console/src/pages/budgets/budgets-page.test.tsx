import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { Recorded } from '../../test/fake-api';
import { AUDITOR, BILLING_ADMIN, OPERATOR, VIEWER, baseRoutes, fakeApi } from '../../test/fake-api';
import { renderConsole } from '../../test/render';
import { thresholdsOf } from './budget-labels';
import { alertOf } from './delivery-log';

const BUDGETS = '/admin/v1/budgets';
const WEBHOOKS = '/admin/v1/webhooks';

const budgetOf = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  orgId: 'org-1',
  scope: 'project',
  scopeId: 'proj-1',
  period: 'monthly',
  timezone: 'UTC',
  amountUsd: '10',
  hardLimitUsd: '12',
  thresholds: [50, 80, 100],
  amountNanoUsd: '10000000000',
  hardLimitNanoUsd: '12000000000',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  current: {
    periodStart: '2026-11-01T00:00:00.000Z',
    periodEnd: '2026-12-01T00:00:00.000Z',
    spentNanoUsd: '6250000001',
    heldNanoUsd: '412000',
    usedPercent: 62.5,
    alertedPercent: 50,
  },
  ...overrides,
});
const endpointOf = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  orgId: 'org-1',
  budgetId: null,
  url: `https://hooks.example.com/${id}`,
  eventTypes: ['budget.threshold_crossed'],
  enabled: true,
  secretPrefix: 'whsec_abcde',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  ...overrides,
});
const page = (data: unknown[]) => ({ data, nextCursor: null });
const routes = (me = OPERATOR, overrides: Record<string, (request: Recorded) => unknown> = {}) => ({
  ...baseRoutes(me),
  'GET /admin/v1/orgs/org-1/teams': () => page([{ id: 'team-1', name: 'search' }]),
  [`GET ${BUDGETS}`]: () =>
    page([
      budgetOf('b1'),
      budgetOf('b2', { scope: 'org', scopeId: 'org-1', hardLimitUsd: null, hardLimitNanoUsd: null }),
    ]),
  [`GET ${WEBHOOKS}`]: () => page([endpointOf('w1')]),
  'GET /admin/v1/audit': () =>
    page([
      {
        id: 'a1',
        occurredAt: '2026-11-20T10:00:00.000Z',
        action: 'billing.budget.threshold_crossed',
        requestId: 'req-9',
        target: 'budget:b1',
        metadata: { scope: 'project', scopeId: 'proj-1', thresholdPercent: 50, spentNanoUsd: '5000000123' },
      },
    ]),
  ...overrides,
});

describe('Budgets and alerts', () => {
  it('shows each budget’s spend of its amount as a bar, with holds, limit and alerts', async () => {
    fakeApi(routes());
    renderConsole('/budgets');
    const bar = await screen.findByRole('progressbar', { name: 'Spend of Monthly budget of Project app' });
    expect(bar).toHaveAttribute('aria-valuenow', '62.5');
    expect(bar).toHaveAttribute('aria-valuetext', '$6.250000001 of $10.00 spent (62.5%)');
    const card = bar.closest('li')!;
    expect(card).toHaveTextContent('$0.000412 held by calls in flight');
    expect(card).toHaveTextContent('hard limit $12.00');
    expect(card).toHaveTextContent('Alerts at 50%, 80%, 100%; alerted up to 50% this period.');
    expect(
      screen.getByRole('progressbar', { name: 'Spend of Monthly budget of Organisation Acme' }),
    ).toBeInTheDocument();
  });

  it('creates a project budget with a hard limit and thresholds', async () => {
    const requests = fakeApi(routes(OPERATOR, { [`POST ${BUDGETS}`]: () => ({ status: 201, body: budgetOf('b3') }) }));
    renderConsole('/budgets');
    await userEvent.click(await screen.findByRole('button', { name: 'New budget' }));
    await userEvent.selectOptions(screen.getByLabelText('Project of the budget'), 'batch');
    await userEvent.selectOptions(screen.getByLabelText('Period'), 'Daily');
    await userEvent.type(screen.getByLabelText('Amount (USD)'), '0.5');
    await userEvent.type(screen.getByLabelText('Hard limit (USD, optional)'), '0.75');
    const thresholds = screen.getByLabelText('Alert thresholds (% of the amount)');
    await userEvent.clear(thresholds);
    await userEvent.type(thresholds, '90, 25');
    await userEvent.click(screen.getByRole('button', { name: 'Create budget' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Create budget' })).toBeNull());
    expect(requests.find((request) => request.method === 'POST')!.body).toEqual({
      scope: 'project',
      scopeId: 'proj-2',
      period: 'daily',
      timezone: 'UTC',
      amountUsd: '0.5',
      hardLimitUsd: '0.75',
      thresholds: [25, 90],
    });
  });

  it('checks the amount and thresholds before sending', async () => {
    const requests = fakeApi(routes());
    renderConsole('/budgets');
    await userEvent.click(await screen.findByRole('button', { name: 'New budget' }));
    await userEvent.type(screen.getByLabelText('Amount (USD)'), '1e3');
    await userEvent.click(screen.getByRole('button', { name: 'Create budget' }));
    expect(screen.getByRole('alert')).toHaveTextContent('The amount is a positive USD amount');
    await userEvent.clear(screen.getByLabelText('Amount (USD)'));
    await userEvent.type(screen.getByLabelText('Amount (USD)'), '5');
    await userEvent.type(screen.getByLabelText('Alert thresholds (% of the amount)'), ', 80');
    await userEvent.click(screen.getByRole('button', { name: 'Create budget' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Thresholds are up to 10 different');
    expect(requests.some((request) => request.method === 'POST')).toBe(false);
  });

  it('changes a budget’s hard limit (empty removes it) and deletes one once confirmed', async () => {
    const requests = fakeApi(
      routes(OPERATOR, {
        'PATCH /admin/v1/budgets/b1': () => budgetOf('b1'),
        'DELETE /admin/v1/budgets/b2': () => budgetOf('b2'),
      }),
    );
    renderConsole('/budgets');
    await userEvent.click(await screen.findByRole('button', { name: 'Change the Monthly budget of Project app' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.clear(within(dialog).getByLabelText('Hard limit (USD, optional)'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save budget' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.find((request) => request.method === 'PATCH')!.body).toEqual({
      amountUsd: '10',
      hardLimitUsd: null,
      thresholds: [50, 80, 100],
    });
    await userEvent.click(screen.getByRole('button', { name: 'Delete the Monthly budget of Organisation Acme' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete budget' }));
    await waitFor(() => expect(requests.some((request) => request.method === 'DELETE')).toBe(true));
  });

  it('adds a webhook endpoint and shows its secret once', async () => {
    const requests = fakeApi(
      routes(OPERATOR, {
        [`POST ${WEBHOOKS}`]: () => ({ status: 201, body: { ...endpointOf('w2'), secret: 'whsec_only-once' } }),
      }),
    );
    renderConsole('/budgets');
    await userEvent.click(await screen.findByRole('button', { name: 'Add endpoint' }));
    await userEvent.type(screen.getByLabelText('Endpoint URL'), 'https://hooks.example.com/w2');
    await userEvent.selectOptions(screen.getByLabelText('Alerts of'), 'Monthly budget of Project app');
    await userEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByTestId('secret')).toHaveTextContent('whsec_only-once');
    expect(requests.find((request) => request.method === 'POST')!.body).toEqual({
      orgId: 'org-1',
      url: 'https://hooks.example.com/w2',
      budgetId: 'b1',
    });
    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByTestId('secret')).toBeNull();
  });

  it('rotates an endpoint’s secret once confirmed, shows it once, and disables an endpoint', async () => {
    const requests = fakeApi(
      routes(OPERATOR, {
        'POST /admin/v1/webhooks/w1/rotate-secret': () => ({ ...endpointOf('w1'), secret: 'whsec_rotated' }),
        'PATCH /admin/v1/webhooks/w1': () => endpointOf('w1', { enabled: false }),
      }),
    );
    renderConsole('/budgets');
    await userEvent.click(await screen.findByRole('button', { name: 'Rotate secret' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Rotate secret' }));
    expect(await screen.findByTestId('secret')).toHaveTextContent('whsec_rotated');
    await userEvent.click(screen.getByRole('button', { name: 'Disable' }));
    await waitFor(() =>
      expect(requests.find((request) => request.method === 'PATCH')?.body).toEqual({ enabled: false }),
    );
  });

  it('shows an endpoint’s deliveries, each read back as its budget and threshold', async () => {
    fakeApi(
      routes(OPERATOR, {
        'GET /admin/v1/webhooks/w1/deliveries': () =>
          page([
            {
              id: 'b1:1761955200000:80',
              endpointId: 'w1',
              eventType: 'budget.threshold_crossed',
              status: 'failed',
              attempts: 8,
              lastStatusCode: 500,
              lastError: 'HTTP 500',
              createdAt: '2026-11-20T10:00:00.000Z',
              updatedAt: '2026-11-20T11:00:00.000Z',
              deliveredAt: null,
            },
          ]),
      }),
    );
    renderConsole('/budgets');
    await userEvent.click(await screen.findByRole('button', { name: 'Deliveries' }));
    const row = (await screen.findByRole('rowheader', { name: '80% of Project app' })).closest('tr')!;
    expect(row).toHaveTextContent('Failed');
    expect(row).toHaveTextContent('HTTP 500');
  });

  it('lists the alert history from the audit facts of the calls that crossed thresholds', async () => {
    const requests = fakeApi(routes());
    renderConsole('/budgets');
    const row = (await screen.findByRole('rowheader', { name: 'Project app' })).closest('tr')!;
    expect(row).toHaveTextContent('50%');
    expect(row).toHaveTextContent('$5.000000123');
    expect(row).toHaveTextContent('req-9');
    expect(requests.find((request) => request.path === '/admin/v1/audit')!.search).toBe(
      '?orgId=org-1&action=billing.budget.threshold_crossed&limit=50',
    );
  });

  it('says so when there is no budget, endpoint or alert', async () => {
    fakeApi(
      routes(OPERATOR, {
        [`GET ${BUDGETS}`]: () => page([]),
        [`GET ${WEBHOOKS}`]: () => page([]),
        'GET /admin/v1/audit': () => page([]),
      }),
    );
    renderConsole('/budgets');
    expect(await screen.findByText('No budget yet')).toBeInTheDocument();
    expect(await screen.findByText('No webhook endpoint')).toBeInTheDocument();
    expect(await screen.findByText('No alert yet')).toBeInTheDocument();
  });

  it('offers a viewer and an auditor no budget or webhook changes', async () => {
    fakeApi(routes(VIEWER));
    const { unmount } = renderConsole('/budgets');
    await screen.findByRole('progressbar', { name: /Project app/ });
    expect(screen.queryByRole('button', { name: /New budget|Change|Delete|Add endpoint/ })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Webhooks' })).toBeNull();
    unmount();
    fakeApi(routes(AUDITOR));
    renderConsole('/budgets');
    await screen.findByRole('heading', { name: 'Alert history' });
    await screen.findByRole('progressbar', { name: /Project app/ });
    expect(screen.queryByRole('button', { name: /New budget|Change|Delete|Add endpoint/ })).toBeNull();
  });

  it('lets a billing admin manage budgets and webhooks, pointing at the deliveries for the history', async () => {
    fakeApi(routes(BILLING_ADMIN));
    renderConsole('/budgets');
    expect(await screen.findByRole('button', { name: 'New budget' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Add endpoint' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Alert history' })).toBeNull();
    expect(screen.getByText(/deliveries above show the alerts/)).toBeInTheDocument();
  });

  it('says what to do when the budgets cannot be read', async () => {
    fakeApi(
      routes(OPERATOR, {
        [`GET ${BUDGETS}`]: () => ({
          status: 403,
          body: {
            error: {
              message: 'your roles do not allow budget.read',
              type: 'permission_error',
              param: null,
              code: null,
            },
          },
        }),
      }),
    );
    renderConsole('/budgets');
    expect(await screen.findByText(/Could not load the budgets/)).toBeInTheDocument();
    expect(screen.getByText(/ask an owner or admin/)).toBeInTheDocument();
  });
});

describe('budget helpers', () => {
  it('reads thresholds: sorted, whole, distinct, 1–1000, at most ten', () => {
    expect(thresholdsOf('100, 50 80%')).toEqual([50, 80, 100]);
    expect(thresholdsOf('')).toEqual([]);
    expect(thresholdsOf('50, 50')).toBeNull();
    expect(thresholdsOf('0')).toBeNull();
    expect(thresholdsOf('1001')).toBeNull();
    expect(thresholdsOf('12.5')).toBeNull();
    expect(thresholdsOf('1 2 3 4 5 6 7 8 9 10 11')).toBeNull();
  });

  it('reads a delivery id back as its budget, period and threshold', () => {
    expect(alertOf('1b4e-uuid:1764547200000:80')).toEqual({
      budgetId: '1b4e-uuid',
      periodStart: new Date(1764547200000),
      percent: 80,
    });
    expect(alertOf('garbage')).toBeNull();
  });
});
