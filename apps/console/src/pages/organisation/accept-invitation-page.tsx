import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';

import { api, call } from '../../api/client';
import { remedyOf } from '../../api/errors';
import type { Acceptance } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { ShownOnce } from '../../ui/secret-once';
import { describeRoles } from './roles';

/** The token of an invitation link (`/console/invite#token=…`). */
const tokenOf = (hash: string) => new URLSearchParams(hash.replace(/^#/, '')).get('token');

/**
 * `/console/invite#token=…`: accepts an invitation (`POST /admin/v1/invitations/accept`), which
 * creates the user and their personal key, signs in with that key, and shows it once: it is how
 * they sign in next time. The token leaves the address bar as the page opens.
 */
export function AcceptInvitationPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const { me, signInWithKey } = useAuth();
  const [token] = useState(() => tokenOf(location.hash));
  useEffect(() => {
    if (location.hash) void navigate({ pathname: location.pathname, hash: '' }, { replace: true });
  }, [location.hash, location.pathname, navigate]);
  const accept = useMutation({
    mutationFn: async () => {
      const acceptance = await call<Acceptance>(api.POST('/admin/v1/invitations/accept', { body: { token: token! } }));
      await signInWithKey(acceptance.key.key);
      return acceptance;
    },
  });
  if (!token)
    return (
      <main className="login" id="main">
        <h1>No invitation in this link</h1>
        <p role="alert">Open the invitation link you were sent again, whole: it ends with the token.</p>
        <Link to="/login">Sign in instead</Link>
      </main>
    );
  const accepted = accept.data;
  // The team names come with the new user's principal (`GET /admin/v1/me`, read on signing in).
  const teams = new Map(me?.roles.flatMap((grant) => (grant.teamId ? [[grant.teamId, grant.team ?? 'a team']] : [])));
  return (
    <main className="login" id="main">
      <h1>{accepted ? 'Welcome to Polymux' : 'Accept your invitation'}</h1>
      {!accepted && (
        <>
          <p>
            Accepting creates your user with the roles you were invited with, and a personal key that signs you in to
            this console and calls the API as you.
          </p>
          <button type="button" className="primary" disabled={accept.isPending} onClick={() => accept.mutate()}>
            {accept.isPending ? 'Accepting…' : 'Accept and sign in'}
          </button>
          {accept.error && (
            <p role="alert" className="error-text">
              {accept.error.message}. {remedyOf(accept.error)}
            </p>
          )}
        </>
      )}
      {accepted && (
        <>
          <p data-testid="accepted-as">
            You are signed in as {accepted.user.email}: {describeRoles(accepted.user.roles, teams)}.
          </p>
          <ShownOnce
            title="Your personal key — copy it now"
            note="You sign in with it next time, and call the API with it. This is the only time it is shown; Polymux keeps only its hash."
            value={accepted.key.key}
            copyLabel="Copy your personal key"
          />
          <button type="button" className="primary" onClick={() => void navigate('/', { replace: true })}>
            Continue to the console
          </button>
        </>
      )}
    </main>
  );
}
