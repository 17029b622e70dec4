import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { CONFIG, OPERATOR, baseRoutes, fakeApi } from '../test/fake-api';
import { renderConsole } from '../test/render';

describe('sign-in', () => {
  it('checks a pasted admin key with GET /admin/v1/me and opens the console with it', async () => {
    const requests = fakeApi(baseRoutes(OPERATOR));
    renderConsole('/login', { signedIn: false });
    await userEvent.type(await screen.findByLabelText('Admin key'), '  pmx-the-admin-key ');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByTestId('principal')).toHaveTextContent('Instance operator');
    const me = requests.find((request) => request.path === '/admin/v1/me')!;
    expect(me.headers.get('authorization')).toBe('Bearer pmx-the-admin-key');
    expect(sessionStorage.getItem('polymux.console.credential')).toContain('pmx-the-admin-key');
    expect(screen.getByRole('link', { name: 'Get started' })).toBeInTheDocument();
  });

  it('says why a key is refused and what to do', async () => {
    fakeApi({
      ...baseRoutes(OPERATOR),
      'GET /admin/v1/me': () => ({
        status: 401,
        body: { error: { message: 'invalid admin key', type: 'authentication_error', param: null, code: null } },
      }),
    });
    renderConsole('/login', { signedIn: false });
    await userEvent.type(await screen.findByLabelText('Admin key'), 'pmx-wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('invalid admin key. Your sign-in is no longer valid');
    expect(sessionStorage.getItem('polymux.console.credential')).toBeNull();
  });

  it('offers SSO only when the gateway has it configured', async () => {
    fakeApi({ 'GET /admin/v1/console/config': () => ({ ...CONFIG, sso: true }) });
    renderConsole('/login', { signedIn: false });
    expect(await screen.findByRole('link', { name: 'Sign in with SSO' })).toHaveAttribute(
      'href',
      '/admin/v1/sso/login',
    );
  });

  it('shows no SSO button without SSO', async () => {
    const requests = fakeApi({ 'GET /admin/v1/console/config': () => CONFIG });
    renderConsole('/login', { signedIn: false });
    await waitFor(() => expect(requests.some((request) => request.path === '/admin/v1/console/config')).toBe(true));
    await screen.findByLabelText('Admin key');
    expect(screen.queryByRole('link', { name: 'Sign in with SSO' })).toBeNull();
  });

  it('sends a signed-out visitor to the sign-in page', async () => {
    fakeApi(baseRoutes(OPERATOR));
    renderConsole('/api-keys', { signedIn: false });
    expect(await screen.findByRole('heading', { name: 'Sign in to the Polymux console' })).toBeInTheDocument();
  });
});
