import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';

import { api, call } from '../api/client';
import { remedyOf } from '../api/errors';
import type { SsoSession } from '../api/types';
import { Loading } from '../ui/states';
import { useAuth } from './auth';

/**
 * `/console/sso/callback`, where the IdP sends the browser back (`POLYMUX_SSO_REDIRECT_URI`): hands
 * the IdP's query to `/admin/v1/sso/callback` (with the login's cookie) and keeps the session it answers.
 */
export function SsoCallback() {
  const { signInWithSso } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // the code is redeemable once: never twice (React's dev double effects)
    started.current = true;
    const query = window.location.search;
    window.history.replaceState(null, '', window.location.pathname); // the code leaves the address bar
    call<SsoSession>(api.GET('/admin/v1/sso/callback', { querySerializer: () => query.slice(1) }))
      .then((session) => {
        signInWithSso(session);
        void navigate('/', { replace: true });
      })
      .catch(setError);
  }, [signInWithSso, navigate]);
  if (error === null) return <Loading what="your SSO session" />;
  return (
    <main className="login" id="main">
      <h1>SSO sign-in failed</h1>
      <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
      <p>{remedyOf(error)}</p>
      <Link to="/login">Back to sign in</Link>
    </main>
  );
}
