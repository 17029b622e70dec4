import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';

import { api, call } from '../api/client';
import { ApiError } from '../api/errors';
import type { Me, SsoSession } from '../api/types';
import { createdKeys } from './created-keys';
import type { Credential } from './credential';
import { credentialStore, ssoCredential } from './credential';

interface Auth {
  credential: Credential | null;
  me: Me | undefined;
  meError: unknown;
  /** Checks a pasted admin key against `GET /admin/v1/me` and keeps it; throws the API's refusal. */
  signInWithKey(key: string): Promise<void>;
  /** Keeps an SSO session answered by `/admin/v1/sso/callback`. */
  signInWithSso(session: SsoSession): void;
  /** Forgets the credential; an SSO session is revoked first (`/admin/v1/sso/logout`). */
  signOut(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

/** Refresh an SSO session this long before it expires. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * When to rotate a session expiring at `expiresAt`: a minute before, or halfway through what is
 * left of a shorter one (a session of `POLYMUX_SSO_SESSION_TTL_SECONDS=60` would otherwise be
 * due again the moment it is issued, rotating without end).
 */
export const refreshDelay = (expiresAt: string, now = Date.now()): number => {
  const left = Date.parse(expiresAt) - now;
  return Math.max(left - Math.min(REFRESH_MARGIN_MS, left / 2), 0);
};

const fetchMe = (token?: string) =>
  call<Me>(api.GET('/admin/v1/me', token ? { headers: { authorization: `Bearer ${token}` } } : {}));

export function AuthProvider({ children }: { children: ReactNode }) {
  const credential = useSyncExternalStore(credentialStore.subscribe, credentialStore.get);
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ['me', credential?.token], queryFn: () => fetchMe(), enabled: !!credential });

  const forget = useCallback(() => {
    credentialStore.set(null);
    createdKeys.clear();
    queryClient.clear();
  }, [queryClient]);

  // A credential the API no longer takes (revoked key, ended session) signs the console out.
  useEffect(() => {
    if (me.error instanceof ApiError && me.error.status === 401) forget();
  }, [me.error, forget]);

  // An SSO session is rotated shortly before it expires, until its refresh window ends.
  useEffect(() => {
    if (credential?.kind !== 'sso') return;
    const timer = setTimeout(() => {
      call<SsoSession>(api.POST('/admin/v1/sso/refresh', { body: { refreshToken: credential.refreshToken } })).then(
        (session) => credentialStore.set(ssoCredential(session)),
        forget,
      );
    }, refreshDelay(credential.expiresAt));
    return () => clearTimeout(timer);
  }, [credential, forget]);

  const auth = useMemo<Auth>(
    () => ({
      credential,
      me: me.data,
      meError: me.error,
      async signInWithKey(key) {
        const token = key.trim();
        const principal = await fetchMe(token);
        queryClient.setQueryData(['me', token], principal);
        credentialStore.set({ kind: 'key', token });
      },
      signInWithSso(session) {
        credentialStore.set(ssoCredential(session));
      },
      async signOut() {
        if (credential?.kind === 'sso')
          await call(api.POST('/admin/v1/sso/logout', { body: {} })).catch(() => undefined);
        forget();
      },
    }),
    [credential, me.data, me.error, queryClient, forget],
  );
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export const useAuth = (): Auth => {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
};
