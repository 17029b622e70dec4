import type { FormEvent } from 'react';
import { useState } from 'react';
import { Navigate } from 'react-router';

import { remedyOf } from '../api/errors';
import { useConsoleConfig } from '../api/queries';
import { useAuth } from './auth';

/** Sign in: SSO when the gateway has it configured, or an admin key (the embedded mode's bootstrap key, a personal key). */
export function LoginPage() {
  const { credential, signInWithKey } = useAuth();
  const config = useConsoleConfig();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (credential) return <Navigate to="/" replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    signInWithKey(key)
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return (
    <main className="login" id="main">
      <h1>Sign in to the Polymux console</h1>
      {config.data?.sso && (
        <p>
          <a className="button primary" href="/admin/v1/sso/login">
            Sign in with SSO
          </a>
        </p>
      )}
      <form onSubmit={submit} aria-describedby="key-help">
        <label htmlFor="admin-key">Admin key</label>
        <input
          id="admin-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <p id="key-help" className="hint">
          The bootstrap key (<code>POLYMUX_BOOTSTRAP_KEY</code>) or a personal key. It is kept in this tab only.
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error !== null && (
          <p role="alert" className="error-text">
            {error instanceof Error ? error.message : String(error)}. {remedyOf(error)}
          </p>
        )}
      </form>
    </main>
  );
}
