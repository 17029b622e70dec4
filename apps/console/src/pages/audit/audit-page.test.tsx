import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { Recorded } from '../../test/fake-api';
import { AUDITOR, OPERATOR, VIEWER, baseRoutes, fakeApi } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const record = (seq: number, overrides: Record<string, unknown> = {}) => ({
  seq,
  id: `rec-${seq}`,
  occurredAt: '2026-01-02T03:04:05.000Z',
  category: 'admin',
  action: 'api_key.update',
  outcome: 'success',
  actorKeyId: 'key-op',
  actorUserId: null,
  sourceAddress: '203.0.113.9',
  orgId: 'org-1',
  projectId: 'proj-1',
  requestId: null,
  target: `api_key:k${seq}`,
  metadata: { fields: 'rpm' },
  before: { rpm: 10, key: '[redacted]' },
  after: { rpm: 20, key: '[redacted]' },
  hash: `hash-${seq}`,
  ...overrides,
});
const page = (records: unknown[], nextCursor: string | null = null) => ({ data: records, nextCursor });
const queryOf = (request: Recorded) => Object.fromEntries(new URLSearchParams(request.search));

afterEach(() => vi.unstubAllGlobals());

describe('Audit', () => {
  it('lists the org’s records and filters them by action, project and time', async () => {
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      'GET /admin/v1/audit': ({ search }: Recorded) =>
        search.includes('action=')
          ? page([record(2, { action: 'chat.completions.create', category: 'call' })])
          : page([record(1)]),
    });
    renderConsole('/audit');
    const row = (await screen.findByRole('rowheader', { name: 'api_key.update' }, { timeout: 5_000 })).closest('tr')!;
    expect(row).toHaveTextContent('app');
    expect(queryOf(requests.find((request) => request.path === '/admin/v1/audit')!)).toEqual({
      orgId: 'org-1',
      limit: '50',
    });
    await userEvent.type(screen.getByLabelText('Action'), 'chat.completions.create');
    await userEvent.selectOptions(screen.getByLabelText('Project'), 'app');
    await userEvent.type(screen.getByLabelText('From'), '2026-01-01T00:00');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByRole('rowheader', { name: 'chat.completions.create' })).toBeInTheDocument();
    expect(queryOf(requests.filter((request) => request.path === '/admin/v1/audit').at(-1)!)).toEqual({
      orgId: 'org-1',
      action: 'chat.completions.create',
      projectId: 'proj-1',
      from: new Date('2026-01-01T00:00').toISOString(),
      limit: '50',
    });
  });

  it('pages with the cursor the API answers', async () => {
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      'GET /admin/v1/audit': ({ search }: Recorded) =>
        search.includes('cursor=c2') ? page([record(1, { action: 'older.action' })]) : page([record(2)], 'c2'),
    });
    renderConsole('/audit');
    await screen.findByRole('rowheader', { name: 'api_key.update' }, { timeout: 5_000 });
    await userEvent.click(screen.getByRole('button', { name: 'Older records' }));
    expect(await screen.findByRole('rowheader', { name: 'older.action' })).toBeInTheDocument();
    expect(requests.at(-1)!.search).toContain('cursor=c2');
    expect(screen.getByRole('button', { name: 'Older records' })).toBeDisabled();
  });

  it('shows a record’s details with the state before and after, as the API gives it', async () => {
    fakeApi({ ...baseRoutes(AUDITOR), 'GET /admin/v1/audit': () => page([record(7)]) });
    renderConsole('/audit');
    await userEvent.click(await screen.findByRole('button', { name: 'Details of record 7' }, { timeout: 5_000 }));
    const dialog = screen.getByRole('dialog', { name: 'Audit record 7: api_key.update' });
    expect(within(dialog).getByTestId('audit-before')).toHaveTextContent('"rpm": 10');
    expect(within(dialog).getByTestId('audit-after')).toHaveTextContent('"key": "[redacted]"');
    expect(dialog).toHaveTextContent('203.0.113.9');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('verifies the chain: intact, or the first broken link', async () => {
    let ok = true;
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      'GET /admin/v1/audit': () => page([record(1)]),
      'GET /admin/v1/audit/verify': () =>
        ok
          ? { ok: true, checked: 12, chains: 2, firstBroken: null }
          : {
              ok: false,
              checked: 4,
              chains: 2,
              firstBroken: {
                chainId: 'org-1',
                reason: 'hash mismatch',
                id: 'rec-5',
                seq: 5,
                position: 4,
                expected: 'aaa',
                found: 'bbb',
              },
            },
    });
    renderConsole('/audit');
    await userEvent.click(await screen.findByRole('button', { name: 'Verify the chain' }, { timeout: 5_000 }));
    expect(await screen.findByTestId('verify-status')).toHaveTextContent('Intact: 12 records in 2 chains verified.');
    expect(queryOf(requests.find((request) => request.path === '/admin/v1/audit/verify')!)).toEqual({
      orgId: 'org-1',
    });
    ok = false;
    await userEvent.click(screen.getByRole('button', { name: 'Verify the chain' }));
    await waitFor(() =>
      expect(screen.getByTestId('verify-status')).toHaveTextContent('Broken at record 5 of chain org-1'),
    );
    expect(screen.getByTestId('verify-status')).toHaveTextContent('hash mismatch');
  });

  it('downloads the filtered trail as a file', async () => {
    const objectUrl = vi.fn(() => 'blob:audit');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: objectUrl, revokeObjectURL: vi.fn() }));
    const clicked: HTMLAnchorElement[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      'GET /admin/v1/audit': () => page([record(1)]),
      'GET /admin/v1/audit/export': () => 'seq,id\n1,rec-1\n',
    });
    renderConsole('/audit');
    await screen.findByRole('rowheader', { name: 'api_key.update' }, { timeout: 5_000 });
    await userEvent.type(screen.getByLabelText('Action'), 'api_key.update');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await userEvent.selectOptions(screen.getByLabelText('Format'), 'jsonl');
    await userEvent.click(screen.getByRole('button', { name: 'Download export' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(clicked[0]!.download).toBe('polymux-audit.jsonl');
    expect(objectUrl).toHaveBeenCalledTimes(1);
    expect(queryOf(requests.find((request) => request.path === '/admin/v1/audit/export')!)).toEqual({
      orgId: 'org-1',
      action: 'api_key.update',
      format: 'jsonl',
    });
    click.mockRestore();
  });

  it('says so when nothing matches, and what to do when the trail cannot be read', async () => {
    let refuse = false;
    fakeApi({
      ...baseRoutes(OPERATOR),
      'GET /admin/v1/audit': () =>
        refuse
          ? {
              status: 400,
              body: {
                error: {
                  message: 'actor: must be printable ASCII',
                  type: 'invalid_request_error',
                  param: 'actor',
                  code: null,
                },
              },
            }
          : page([]),
    });
    renderConsole('/audit');
    expect(await screen.findByText('No record matches these filters', {}, { timeout: 5_000 })).toBeInTheDocument();
    refuse = true;
    await userEvent.type(screen.getByLabelText('Actor (key or user id)'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Correct “actor” and try again.');
  });

  it('is not in a viewer’s navigation', async () => {
    fakeApi(baseRoutes(VIEWER));
    renderConsole('/get-started');
    const nav = await screen.findByRole('navigation', { name: 'Console' });
    await within(nav).findByRole('link', { name: 'Get started' });
    expect(within(nav).queryByRole('link', { name: 'Audit' })).toBeNull();
  });
});
