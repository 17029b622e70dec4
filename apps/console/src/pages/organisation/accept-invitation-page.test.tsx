import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { credentialStore } from '../../auth/credential';
import { DEVELOPER, baseRoutes, fakeApi, keyOf } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const ME = { ...DEVELOPER, roles: [{ role: 'developer', teamId: 'team-1', team: 'core' }] };
const ACCEPTANCE = {
  object: 'invitation.acceptance',
  invitationId: 'inv-1',
  user: {
    id: 'user-d',
    orgId: 'org-1',
    email: 'dev@example.com',
    name: null,
    roles: [{ role: 'developer', teamId: 'team-1' }],
    createdAt: '2026-01-02T00:00:00.000Z',
  },
  key: { ...keyOf('k', { name: 'Personal key (invitation)', userId: 'user-d' }), key: 'pmx-personal-once' },
};

describe('accepting an invitation', () => {
  it('accepts with the token of the link, signs in with the new personal key and shows it once', async () => {
    const requests = fakeApi({ ...baseRoutes(ME), 'POST /admin/v1/invitations/accept': () => ACCEPTANCE });
    renderConsole('/invite#token=pmx-inv-abc', { signedIn: false });
    await userEvent.click(await screen.findByRole('button', { name: 'Accept and sign in' }));
    expect(await screen.findByTestId('secret')).toHaveTextContent('pmx-personal-once');
    expect(screen.getByTestId('accepted-as')).toHaveTextContent('dev@example.com: Developer in core');
    const accept = requests.find((request) => request.path === '/admin/v1/invitations/accept')!;
    expect(accept.body).toEqual({ token: 'pmx-inv-abc' });
    expect(accept.headers.get('authorization')).toBeNull();
    const me = requests.find((request) => request.path === '/admin/v1/me')!;
    expect(me.headers.get('authorization')).toBe('Bearer pmx-personal-once');
    expect(credentialStore.get()).toEqual({ kind: 'key', token: 'pmx-personal-once' });
    await userEvent.click(screen.getByRole('button', { name: 'Continue to the console' }));
    expect(await screen.findByRole('heading', { name: 'Get started', level: 1 })).toBeInTheDocument();
  });

  it('says what to do when the invitation is used, revoked or expired', async () => {
    fakeApi({
      ...baseRoutes(ME),
      'POST /admin/v1/invitations/accept': () => ({
        status: 401,
        body: {
          error: {
            message: 'this invitation is unknown, used, revoked or expired: ask an owner or admin for a new one',
            type: 'authentication_error',
            param: null,
            code: 'unauthenticated',
          },
        },
      }),
    });
    renderConsole('/invite#token=pmx-inv-used', { signedIn: false });
    await userEvent.click(await screen.findByRole('button', { name: 'Accept and sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('ask an owner or admin for a new one');
    expect(credentialStore.get()).toBeNull();
  });

  it('says so when the link has no token', async () => {
    fakeApi(baseRoutes(ME));
    renderConsole('/invite', { signedIn: false });
    expect(await screen.findByRole('heading', { name: 'No invitation in this link' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Accept and sign in' })).toBeNull();
  });
});
