import type { SsoSession } from '../api/types';

/** How the console signs its admin API calls: a pasted admin key, or an SSO session. */
export type Credential =
  | { kind: 'key'; token: string }
  | { kind: 'sso'; token: string; expiresAt: string; refreshToken: string; refreshExpiresAt: string };

const STORAGE_KEY = 'polymux.console.credential';
const listeners = new Set<() => void>();
let current: Credential | null | undefined;

const read = (): Credential | null => {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Credential | null;
    return stored && typeof stored.token === 'string' ? stored : null;
  } catch {
    return null;
  }
};

/**
 * The credential lives in sessionStorage: this tab only, gone when it closes. It is never put in a
 * URL, and the console has no inline scripts for it to leak to (CSP `script-src 'self'`).
 */
export const credentialStore = {
  get(): Credential | null {
    if (current === undefined) current = read();
    return current;
  },
  set(credential: Credential | null): void {
    current = credential;
    if (credential) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credential));
    else sessionStorage.removeItem(STORAGE_KEY);
    for (const listener of listeners) listener();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export const ssoCredential = (session: SsoSession): Credential => ({
  kind: 'sso',
  token: session.sessionToken,
  expiresAt: session.expiresAt,
  refreshToken: session.refreshToken,
  refreshExpiresAt: session.refreshExpiresAt,
});
