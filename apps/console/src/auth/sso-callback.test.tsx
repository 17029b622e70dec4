import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { OPERATOR, baseRoutes, fakeApi } from '../test/fake-api';
import { renderConsole } from '../test/render';

const SESSION = {
  object: 'sso.session',
  sessionToken: 'pmxs-session',
  expiresAt: new Date(Date.now() + 900_000).toISOString(),
  refreshToken: 'pmxr-refresh',
  refreshExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  userId: 'user-1',
};

describe('SSO callback', () => {
  it("hands the IdP's query to /admin/v1/sso/callback and signs in with the session", async () => {
    window.history.replaceState(null, '', '/console/sso/callback?code=abc&state=xyz');
    const requests = fakeApi({ ...baseRoutes(OPERATOR), 'GET /admin/v1/sso/callback': () => SESSION });
    renderConsole('/sso/callback', { signedIn: false });
    expect(await screen.findByTestId('principal')).toBeInTheDocument();
    expect(requests.find((request) => request.path === '/admin/v1/sso/callback')!.search).toBe('?code=abc&state=xyz');
    const me = requests.find((request) => request.path === '/admin/v1/me')!;
    expect(me.headers.get('authorization')).toBe('Bearer pmxs-session');
    expect(window.location.search).toBe('');
  });

  it('says what to do when the login cannot be finished', async () => {
    window.history.replaceState(null, '', '/console/sso/callback?state=old');
    fakeApi({
      'GET /admin/v1/sso/callback': () => ({
        status: 401,
        body: { error: { message: 'unknown or expired login', type: 'authentication_error', param: null, code: null } },
      }),
    });
    renderConsole('/sso/callback', { signedIn: false });
    expect(await screen.findByRole('alert')).toHaveTextContent('unknown or expired login');
    expect(screen.getByRole('link', { name: 'Back to sign in' })).toBeInTheDocument();
  });
});
