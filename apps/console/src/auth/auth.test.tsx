import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { App, newQueryClient } from '../app';
import { VIEWER, baseRoutes, fakeApi } from '../test/fake-api';
import { refreshDelay } from './auth';
import { credentialStore } from './credential';

const sessionOf = (token: string, lifetimeMs: number) => ({
  object: 'sso.session',
  sessionToken: `pmx_sess_${token}`,
  expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
  refreshToken: `pmx_sref_${token}`,
  refreshExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  userId: 'user-v',
});

const signInWith = (session: ReturnType<typeof sessionOf>) => {
  credentialStore.set({
    kind: 'sso',
    token: session.sessionToken,
    expiresAt: session.expiresAt,
    refreshToken: session.refreshToken,
    refreshExpiresAt: session.refreshExpiresAt,
  });
  render(<App initialPath="/get-started" queryClient={newQueryClient()} />);
};

describe('SSO session', () => {
  it('is rotated a minute before it expires, or halfway through a shorter lifetime', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(refreshDelay('2026-01-01T00:15:00.000Z', now)).toBe(14 * 60_000);
    expect(refreshDelay('2026-01-01T00:01:00.000Z', now)).toBe(30_000);
    expect(refreshDelay('2026-01-01T00:00:10.000Z', now)).toBe(5_000);
    expect(refreshDelay('2025-12-31T23:59:00.000Z', now)).toBe(0);
  });

  it('rotates a short session once, with its refresh token, and signs the next calls with the new one', async () => {
    let issued = 0;
    const requests = fakeApi({
      ...baseRoutes(VIEWER),
      'POST /admin/v1/sso/refresh': () => sessionOf(`rotated${++issued}`, 4_000),
    });
    signInWith(sessionOf('first', 4_000));
    expect(await screen.findByTestId('principal')).toHaveTextContent('Vera Viewer');
    const refreshes = () => requests.filter((request) => request.path === '/admin/v1/sso/refresh');
    await waitFor(() => expect(refreshes()).toHaveLength(1));
    expect(refreshes()[0]!.body).toEqual({ refreshToken: 'pmx_sref_first' });
    await waitFor(() => expect(credentialStore.get()?.token).toBe('pmx_sess_rotated1'));
    await waitFor(() =>
      expect(requests.some((request) => request.headers.get('authorization') === 'Bearer pmx_sess_rotated1')).toBe(
        true,
      ),
    );
    // The next rotation is due two seconds after this one, not at once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(refreshes()).toHaveLength(1);
  });

  it('signs out when the refresh is refused', async () => {
    fakeApi({
      ...baseRoutes(VIEWER),
      'POST /admin/v1/sso/refresh': () => ({
        status: 401,
        body: { error: { message: 'the SSO session expired', type: 'authentication_error', param: null, code: null } },
      }),
    });
    signInWith(sessionOf('first', 0));
    expect(await screen.findByLabelText('Admin key')).toBeInTheDocument();
    expect(credentialStore.get()).toBeNull();
  });

  it('is revoked at sign-out with its session token', async () => {
    const requests = fakeApi({
      ...baseRoutes(VIEWER),
      'POST /admin/v1/sso/logout': () => ({ revoked: true, endSessionUrl: null }),
    });
    signInWith(sessionOf('first', 900_000));
    await screen.findByTestId('principal');
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByLabelText('Admin key')).toBeInTheDocument();
    const logout = requests.find((request) => request.path === '/admin/v1/sso/logout')!;
    expect(logout.headers.get('authorization')).toBe('Bearer pmx_sess_first');
    expect(sessionStorage.getItem('polymux.console.credential')).toBeNull();
  });
});
