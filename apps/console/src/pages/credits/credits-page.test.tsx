import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import type { Recorded } from '../../test/fake-api';
import { AUDITOR, BILLING_ADMIN, OPERATOR, VIEWER, baseRoutes, fakeApi } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const LEDGER = '/admin/v1/projects/proj-1/ledger';
const STATEMENT = '/admin/v1/orgs/org-1/statement';
const PLAN = '/admin/v1/orgs/org-1/plan';

const entry = (id: string, kind: string, amountNanoUsd: string, overrides: Record<string, unknown> = {}) => ({
  id,
  transactionId: `tx-${id}`,
  account: 'project:proj-1',
  kind,
  amountNanoUsd,
  amountUsd: 'ignored',
  requestId: null,
  reason: null,
  createdAt: '2026-11-02T10:00:00.000Z',
  ...overrides,
});
const part = (opening: string, closing: string, topUps = '0', charges = '0') => ({
  openingBalanceNanoUsd: opening,
  closingBalanceNanoUsd: closing,
  lines: [
    { line: 'top_ups', amountNanoUsd: topUps },
    { line: 'grants', amountNanoUsd: '0' },
    { line: 'charges', amountNanoUsd: charges },
    { line: 'discounts', amountNanoUsd: '0' },
    { line: 'refunds', amountNanoUsd: '0' },
    { line: 'adjustments', amountNanoUsd: '0' },
    { line: 'grant_expiries', amountNanoUsd: '0' },
  ],
});
const STATEMENT_ANSWER = {
  orgId: 'org-1',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  period: '2026-11',
  timezone: 'UTC',
  projects: [{ projectId: 'proj-1', projectName: 'app', ...part('0', '9999587999', '10000000000', '-412001') }],
  totals: part('0', '9999587999', '10000000000', '-412001'),
};
const PAYG = {
  orgId: 'org-1',
  current: { plan: 'payg', settings: {}, since: null, changeId: null },
  scheduled: [],
  history: [],
};
const routes = (me = OPERATOR, overrides: Record<string, (request: Recorded) => unknown> = {}) => ({
  ...baseRoutes(me),
  'GET /admin/v1/projects/proj-1/balance': () => ({
    balanceUsd: '12.5',
    reservedUsd: '0.000412',
    balanceNanoUsd: '12500000000',
    reservedNanoUsd: '412000',
  }),
  [`GET ${LEDGER}`]: () => ({
    data: [entry('2', 'charge', '-412001', { requestId: 'req-1' }), entry('1', 'top_up', '10000000000')],
    nextCursor: null,
  }),
  [`GET ${STATEMENT}`]: () => STATEMENT_ANSWER,
  [`GET ${PLAN}`]: () => PAYG,
  ...overrides,
});

describe('Credits and billing', () => {
  it('shows the balance and what calls hold, to the nano-USD', async () => {
    fakeApi(routes());
    renderConsole('/credits');
    expect(await screen.findByTestId('balance')).toHaveTextContent('$12.50');
    expect(screen.getByTestId('held')).toHaveTextContent('$0.000412');
    expect(screen.getByText('$12.499588')).toBeInTheDocument();
  });

  it('lists the ledger with exact signed amounts and filters it by kind', async () => {
    const requests = fakeApi(routes());
    renderConsole('/credits');
    const charge = (await screen.findByRole('rowheader', { name: 'Charge' })).closest('tr')!;
    expect(charge).toHaveTextContent('-$0.000412001');
    expect(charge).toHaveTextContent('req-1');
    expect(screen.getByRole('rowheader', { name: 'Top-up' }).closest('tr')).toHaveTextContent('+$10.00');
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'Refund');
    await waitFor(() =>
      expect(requests.filter((request) => request.path === LEDGER).at(-1)!.search).toBe('?limit=25&kind=refund'),
    );
  });

  it('pages the ledger with the cursor the API answers', async () => {
    const requests = fakeApi(
      routes(OPERATOR, {
        [`GET ${LEDGER}`]: ({ search }) =>
          search.includes('cursor=c2')
            ? { data: [entry('1', 'grant', '300000', { reason: 'welcome' })], nextCursor: null }
            : { data: [entry('2', 'top_up', '1')], nextCursor: 'c2' },
      }),
    );
    renderConsole('/credits');
    await screen.findByRole('rowheader', { name: 'Top-up' });
    await userEvent.click(
      within(screen.getByRole('navigation', { name: 'Ledger pages' })).getByRole('button', { name: 'Next page' }),
    );
    expect(await screen.findByText('welcome')).toBeInTheDocument();
    expect(requests.filter((request) => request.path === LEDGER).at(-1)!.search).toContain('cursor=c2');
  });

  it('says so when the ledger is empty', async () => {
    fakeApi(routes(OPERATOR, { [`GET ${LEDGER}`]: () => ({ data: [], nextCursor: null }) }));
    renderConsole('/credits');
    expect(await screen.findByText('No ledger entries yet')).toBeInTheDocument();
  });

  it('tops up with an idempotency key and shows the new balance', async () => {
    const requests = fakeApi(
      routes(OPERATOR, {
        'POST /admin/v1/projects/proj-1/credits': () => ({
          applied: true,
          balanceUsd: '17.5',
          reservedUsd: '0',
          balanceNanoUsd: '17500000000',
          reservedNanoUsd: '0',
        }),
      }),
    );
    renderConsole('/credits');
    await screen.findByTestId('balance');
    const amount = screen.getByLabelText('Amount (USD)');
    await userEvent.clear(amount);
    await userEvent.type(amount, '5');
    await userEvent.click(screen.getByRole('button', { name: 'Top up' }));
    expect(await screen.findByText(/Applied: the balance is \$17\.50/)).toBeInTheDocument();
    expect(screen.getByTestId('balance')).toHaveTextContent('$17.50');
    const post = requests.find((request) => request.method === 'POST')!;
    expect(post.body).toEqual({ amountUsd: '5' });
    expect(post.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refunds a request with a reason, and checks the fields before sending', async () => {
    const requests = fakeApi(
      routes(OPERATOR, {
        'POST /admin/v1/projects/proj-1/refunds': () => ({
          applied: true,
          balanceNanoUsd: '12500412001',
          reservedNanoUsd: '0',
        }),
      }),
    );
    renderConsole('/credits');
    await userEvent.click(await screen.findByLabelText('Refund'));
    const amount = screen.getByLabelText('Amount (USD)');
    await userEvent.clear(amount);
    await userEvent.type(amount, '0.000412001');
    await userEvent.click(screen.getByRole('button', { name: 'Refund' }));
    expect(screen.getByText(/Give a reason/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Reason'), 'provider outage');
    await userEvent.click(screen.getByRole('button', { name: 'Refund' }));
    expect(screen.getByText(/Name the request to refund/)).toBeInTheDocument();
    expect(requests.some((request) => request.method === 'POST')).toBe(false);
    await userEvent.type(screen.getByLabelText('Request id'), 'req-1');
    await userEvent.click(screen.getByRole('button', { name: 'Refund' }));
    expect(await screen.findByText(/Applied/)).toBeInTheDocument();
    expect(requests.find((request) => request.method === 'POST')!.body).toEqual({
      amountUsd: '0.000412001',
      reason: 'provider outage',
      requestId: 'req-1',
    });
  });

  it('takes a negative adjustment and refuses a negative top-up', async () => {
    const requests = fakeApi(
      routes(OPERATOR, {
        'POST /admin/v1/projects/proj-1/adjustments': () => ({
          applied: true,
          balanceNanoUsd: '11000000000',
          reservedNanoUsd: '0',
        }),
      }),
    );
    renderConsole('/credits');
    const amount = await screen.findByLabelText('Amount (USD)');
    await userEvent.clear(amount);
    await userEvent.type(amount, '-1.50');
    await userEvent.click(screen.getByRole('button', { name: 'Top up' }));
    expect(screen.getByText(/Enter a positive amount/)).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Adjustment'));
    await userEvent.type(screen.getByLabelText('Reason'), 'double top-up');
    await userEvent.click(screen.getByRole('button', { name: 'Adjustment' }));
    expect(await screen.findByText(/Applied: the balance is \$11\.00/)).toBeInTheDocument();
    expect(requests.find((request) => request.method === 'POST')!.body).toEqual({
      amountUsd: '-1.50',
      reason: 'double top-up',
    });
  });

  it('shows what the API refuses, with what to do', async () => {
    fakeApi(
      routes(OPERATOR, {
        'POST /admin/v1/projects/proj-1/adjustments': () => ({
          status: 402,
          body: {
            error: { message: 'the balance cannot cover it', type: 'insufficient_quota', param: null, code: null },
          },
        }),
      }),
    );
    renderConsole('/credits');
    await userEvent.click(await screen.findByLabelText('Adjustment'));
    await userEvent.type(screen.getByLabelText('Reason'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Adjustment' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('the balance cannot cover it');
  });

  it('shows the statement by line and downloads the API’s CSV as a file', async () => {
    const csv = 'scope,project_id,project_name,from,to,line,amount_usd,amount_nano_usd\n';
    const requests = fakeApi(
      routes(OPERATOR, {
        [`GET ${STATEMENT}`]: ({ search }) =>
          search.includes('format=csv') ? { text: csv, type: 'text/csv' } : STATEMENT_ANSWER,
      }),
    );
    const created: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => (created.push(blob as Blob), 'blob:statement'));
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    renderConsole('/credits');
    const region = await screen.findByRole('region', { name: 'Statement lines' });
    expect(within(region).getByRole('rowheader', { name: 'Charges (at list price)' }).closest('tr')).toHaveTextContent(
      '-$0.000412001',
    );
    expect(screen.getByTestId('closing-total')).toHaveTextContent('$9.999587999');
    const month = screen.getByLabelText('Month');
    await userEvent.clear(month);
    await userEvent.type(month, '2026-11');
    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(clicked[0]!.download).toBe('statement-2026-11-UTC.csv');
    expect(await created[0]!.text()).toBe(csv);
    expect(requests.filter((request) => request.path === STATEMENT).at(-1)!.search).toBe(
      '?period=2026-11&timezone=UTC&format=csv',
    );
  });

  it('shows an enterprise plan’s tiers and rates, and lets the operator change the plan', async () => {
    const enterprise = {
      ...PAYG,
      current: {
        plan: 'enterprise',
        since: '2026-11-01T00:00:00.000Z',
        changeId: 'c1',
        settings: {
          timezone: 'Europe/Berlin',
          tiers: [
            { aboveUsd: '0', percent: 0 },
            { aboveUsd: '10000', percent: 5 },
          ],
          rates: [{ model: 'claude-sonnet', percent: 12.5 }],
          creditLimitUsd: '5000',
        },
      },
    };
    const requests = fakeApi(routes(OPERATOR, { [`GET ${PLAN}`]: () => enterprise, [`PUT ${PLAN}`]: () => PAYG }));
    renderConsole('/credits');
    expect(await screen.findByTestId('plan')).toHaveTextContent('Enterprise');
    expect(screen.getByTestId('tiers')).toHaveTextContent("5% off the month's list spend above $10,000.00");
    expect(screen.getByText(/Model claude-sonnet: 12.5% off list/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Change plan' }));
    const dialog = screen.getByRole('dialog', { name: 'Change the plan' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove tier 1' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save plan' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.find((request) => request.method === 'PUT')!.body).toEqual({
      plan: 'enterprise',
      settings: {
        timezone: 'Europe/Berlin',
        tiers: [{ aboveUsd: '10000', percent: 5 }],
        rates: [{ model: 'claude-sonnet', percent: 12.5 }],
        creditLimitUsd: '5000',
      },
    });
    expect(await screen.findByTestId('plan')).toHaveTextContent('Pay as you go');
  });

  it('offers an auditor no top-up, no credit movement and no plan change', async () => {
    fakeApi(routes(AUDITOR));
    renderConsole('/credits');
    expect(await screen.findByTestId('balance')).toHaveTextContent('$12.50');
    await screen.findByTestId('plan');
    expect(screen.queryByRole('button', { name: /Top up|Grant|Refund|Adjustment/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Change plan' })).toBeNull();
    expect(screen.getByText(/Credits are added by the instance operator/)).toBeInTheDocument();
  });

  it('is not offered to a viewer, who holds no credits.read', async () => {
    fakeApi(routes(VIEWER));
    renderConsole('/get-started');
    await screen.findByRole('link', { name: 'API keys' });
    expect(screen.queryByRole('link', { name: 'Credits and billing' })).toBeNull();
  });

  it('lets a billing admin read it without moving credit', async () => {
    fakeApi(routes(BILLING_ADMIN));
    renderConsole('/credits');
    await screen.findByTestId('balance');
    expect(screen.getByRole('link', { name: 'Credits and billing' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Top up' })).toBeNull();
  });

  it('says what to do when the balance cannot be read', async () => {
    fakeApi(
      routes(OPERATOR, {
        'GET /admin/v1/projects/proj-1/balance': () => ({
          status: 503,
          body: { error: { message: 'billing did not answer', type: 'api_error', param: null, code: null } },
        }),
      }),
    );
    renderConsole('/credits');
    const alert = await screen.findByText(/Could not load the balance/, undefined, { timeout: 5000 });
    expect(alert.closest('[role="alert"]')).toHaveTextContent('retry');
  });
});
