import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { Recorded } from '../../test/fake-api';
import { OPERATOR, VIEWER, baseRoutes, fakeApi, keyOf } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const KEYS = '/admin/v1/projects/proj-1/keys';
const page = (keys: unknown[], nextCursor: string | null = null) => ({ data: keys, nextCursor });
const LAST_USED = '2026-02-03T04:05:06.000Z';
/** A row's cell under the column header `name`. */
const cellOf = (row: HTMLElement, name: string) => {
  const headers = screen.getAllByRole('columnheader').map((header) => header.textContent);
  return row.children[headers.indexOf(name)]!;
};

describe('API keys', () => {
  it("lists the project's active keys with their scopes, limits and last use", async () => {
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      [`GET ${KEYS}`]: () =>
        page([
          keyOf('a', { allowedModels: ['fast'], rpm: 60, lastUsedAt: LAST_USED }),
          keyOf('b', { userId: 'user-1', ipAllowlist: ['10.0.0.0/8'] }),
        ]),
    });
    renderConsole('/api-keys');
    const row = (await screen.findByRole('rowheader', { name: /key a/ })).closest('tr')!;
    expect(row).toHaveTextContent('Models: fast');
    expect(row).toHaveTextContent('60 req/min');
    expect(cellOf(row, 'Last used')).toHaveTextContent(new Date(LAST_USED).toLocaleString());
    const other = screen.getByRole('rowheader', { name: /key b/ }).closest('tr')!;
    expect(other).toHaveTextContent('Personal key');
    expect(cellOf(other, 'Last used')).toHaveTextContent(/^Never$/);
    expect(requests.find((request) => request.path === KEYS)!.search).toBe('?limit=20&status=active');
  });

  it('pages with the cursor the API answers', async () => {
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      [`GET ${KEYS}`]: ({ search }: Recorded) =>
        search.includes('cursor=c2') ? page([keyOf('second')]) : page([keyOf('first')], 'c2'),
    });
    renderConsole('/api-keys');
    await screen.findByRole('rowheader', { name: /key first/ });
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('rowheader', { name: /key second/ })).toBeInTheDocument();
    expect(requests.filter((request) => request.path === KEYS).at(-1)!.search).toContain('cursor=c2');
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByRole('rowheader', { name: /key first/ })).toBeInTheDocument();
  });

  it('creates a key with scopes and limits and shows its secret once', async () => {
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      [`GET ${KEYS}`]: () => page([]),
      [`POST ${KEYS}`]: () => ({ status: 201, body: { ...keyOf('n', { name: 'ci' }), key: 'pmx-secret-once' } }),
    });
    renderConsole('/api-keys');
    expect(await screen.findByText('No keys in this project yet')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    await userEvent.type(screen.getByLabelText('Name'), 'ci');
    await userEvent.type(screen.getByLabelText('Allowed models and aliases'), 'fast');
    await userEvent.click(screen.getByLabelText('Embeddings'));
    await userEvent.type(screen.getByLabelText('Requests per minute'), '30');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByTestId('secret')).toHaveTextContent('pmx-secret-once');
    expect(requests.find((request) => request.method === 'POST')!.body).toEqual({
      name: 'ci',
      allowedModels: ['fast'],
      allowedEndpoints: ['embeddings'],
      rpm: 30,
    });
    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByTestId('secret')).toBeNull();
  });

  it('shows what the API refuses in the form, with what to do', async () => {
    fakeApi({
      ...baseRoutes(OPERATOR),
      [`GET ${KEYS}`]: () => page([]),
      [`POST ${KEYS}`]: () => ({
        status: 400,
        body: {
          error: {
            message: 'ipAllowlist: not an address',
            type: 'invalid_request_error',
            param: 'ipAllowlist',
            code: null,
          },
        },
      }),
    });
    renderConsole('/api-keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Create key' }));
    await userEvent.type(screen.getByLabelText('Name'), 'x');
    await userEvent.type(screen.getByLabelText('IP allowlist'), 'nowhere');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('not an address');
    expect(screen.getByRole('alert')).toHaveTextContent('Correct “ipAllowlist” and try again.');
  });

  it('revokes a key only once confirmed', async () => {
    let revoked = false;
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      [`GET ${KEYS}`]: () => page(revoked ? [] : [keyOf('a')]),
      'DELETE /admin/v1/keys/a': () => ((revoked = true), keyOf('a', { revokedAt: new Date().toISOString() })),
    });
    renderConsole('/api-keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke key a' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “key a”?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(requests.some((request) => request.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Revoke key a' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: /key a/ })).toBeNull());
    expect(requests.filter((request) => request.method === 'DELETE')).toHaveLength(1);
  });

  it('rotates with the chosen overlap and shows the new secret once', async () => {
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      [`GET ${KEYS}`]: () => page([keyOf('a')]),
      'POST /admin/v1/keys/a/rotate': () => ({ ...keyOf('a'), key: 'pmx-rotated-secret' }),
    });
    renderConsole('/api-keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Rotate key a' }));
    await userEvent.selectOptions(screen.getByLabelText('The current secret keeps working for'), '1 hour');
    await userEvent.click(screen.getByRole('button', { name: 'Rotate' }));
    expect(await screen.findByTestId('secret')).toHaveTextContent('pmx-rotated-secret');
    expect(requests.find((request) => request.path.endsWith('/rotate'))!.body).toEqual({ overlapSeconds: 3600 });
  });

  it('offers a viewer no creation, rotation or revocation', async () => {
    fakeApi({ ...baseRoutes(VIEWER), [`GET ${KEYS}`]: () => page([keyOf('a')]) });
    renderConsole('/api-keys');
    await screen.findByRole('rowheader', { name: /key a/ });
    expect(screen.queryByRole('button', { name: 'Create key' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Rotate|Revoke/ })).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).toBeNull();
  });

  it('says what to do when the keys cannot be read', async () => {
    fakeApi({
      ...baseRoutes(OPERATOR),
      [`GET ${KEYS}`]: () => ({
        status: 403,
        body: {
          error: { message: 'your roles do not allow key.read', type: 'permission_error', param: null, code: null },
        },
      }),
    });
    renderConsole('/api-keys');
    expect(await screen.findByRole('alert')).toHaveTextContent('ask an owner or admin');
  });
});
