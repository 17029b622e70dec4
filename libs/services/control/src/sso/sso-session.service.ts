import { randomBytes, randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG, CredentialSealError, openCredential, sealCredential } from '@polymux/config';
import { ErrorCode, PolymuxException, hashApiKey } from '@polymux/contracts';

import type { SsoSession } from './sso.repository';
import { SsoRepository } from './sso.repository';

/** Session tokens start so; the admin guard resolves them here instead of as API keys. */
export const SESSION_PREFIX = 'pmx_sess_';
const REFRESH_PREFIX = 'pmx_sref_';

const newToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

/** What a login or a refresh gives the caller; the tokens are shown this once and stored as sha256 only. */
export interface IssuedSession {
  sessionId: string;
  userId: string;
  sessionToken: string;
  refreshToken: string;
  expiresAt: Date;
  /** The session's absolute end: no refresh after it. */
  refreshExpiresAt: Date;
}

const expired = () =>
  new PolymuxException(ErrorCode.Unauthenticated, 'the SSO session expired or was revoked: log in again');

/**
 * SSO sessions: short-lived session tokens, refresh tokens that rotate them up to the session's
 * absolute lifetime, and the IdP's refresh token, sealed with POLYMUX_CREDENTIALS_KEY (not kept
 * without one: the session is then re-issued within its lifetime without asking the IdP).
 */
@Injectable()
export class SsoSessionService {
  constructor(
    private readonly repository: SsoRepository,
    @Inject(CONFIG) private readonly config: PolymuxConfig,
  ) {}

  private get lifetimes() {
    return {
      ttlMs: (this.config.sso?.sessionTtlSeconds ?? 0) * 1000,
      maxAgeMs: (this.config.sso?.maxAgeSeconds ?? 0) * 1000,
    };
  }

  async open(userId: string, idpRefreshToken: string | null): Promise<IssuedSession> {
    const id = randomUUID();
    const now = Date.now();
    const absolute = new Date(now + this.lifetimes.maxAgeMs);
    const sessionToken = newToken(SESSION_PREFIX);
    const refreshToken = newToken(REFRESH_PREFIX);
    const expiresAt = new Date(Math.min(now + this.lifetimes.ttlMs, absolute.getTime()));
    await this.repository.createSession({
      id,
      user_id: userId,
      token_hash: hashApiKey(sessionToken),
      refresh_hash: hashApiKey(refreshToken),
      idp_refresh_token: this.seal(id, idpRefreshToken),
      expires_at: expiresAt,
      absolute_expires_at: absolute,
    });
    return { sessionId: id, userId, sessionToken, refreshToken, expiresAt, refreshExpiresAt: absolute };
  }

  /** The user of a session token, or a 401 when it is unknown, expired or revoked. */
  async userOf(sessionToken: string): Promise<string> {
    const session = await this.repository.findSessionByToken(hashApiKey(sessionToken));
    if (!session || session.revoked_at !== null || session.expires_at.getTime() <= Date.now()) throw expired();
    return session.user_id;
  }

  /** The session a token or refresh token opened, even expired, for logout; a 401 when none or revoked. */
  async forLogout(token: string): Promise<SsoSession> {
    const hash = hashApiKey(token);
    const session = token.startsWith(SESSION_PREFIX)
      ? await this.repository.findSessionByToken(hash)
      : (await this.repository.findSessionByRefresh(hash))?.session;
    if (!session || session.revoked_at !== null) throw expired();
    return session;
  }

  /**
   * The session a refresh token may refresh, with the IdP's refresh token; a 401 past its absolute
   * lifetime, when revoked, or for a refresh token already used once (which revokes the session:
   * someone else holds a copy).
   */
  async forRefresh(refreshToken: string): Promise<{ session: SsoSession; idpRefreshToken: string | null }> {
    const found = await this.repository.findSessionByRefresh(hashApiKey(refreshToken));
    if (!found || found.session.revoked_at !== null) throw expired();
    if (found.reused) {
      await this.repository.revokeSession(found.session.id);
      throw new PolymuxException(
        ErrorCode.Unauthenticated,
        'this refresh token was already used: the session is revoked',
      );
    }
    if (found.session.absolute_expires_at.getTime() <= Date.now()) throw expired();
    const idpRefreshToken = this.idpRefreshTokenOf(found.session);
    // Sealed with a key since rotated away: never refreshed without asking the IdP.
    if (found.session.idp_refresh_token !== null && idpRefreshToken === null) throw expired();
    return { session: found.session, idpRefreshToken };
  }

  /** New tokens for the session (the old ones stop working), its expiry capped by its absolute lifetime. */
  async rotate(session: SsoSession, refreshToken: string, idpRefreshToken: string | null): Promise<IssuedSession> {
    const sessionToken = newToken(SESSION_PREFIX);
    const nextRefresh = newToken(REFRESH_PREFIX);
    const absolute = session.absolute_expires_at;
    const expiresAt = new Date(Math.min(Date.now() + this.lifetimes.ttlMs, absolute.getTime()));
    const rotated = await this.repository.rotateSession(session.id, hashApiKey(refreshToken), {
      token_hash: hashApiKey(sessionToken),
      refresh_hash: hashApiKey(nextRefresh),
      idp_refresh_token: this.seal(session.id, idpRefreshToken),
      expires_at: expiresAt,
    });
    if (!rotated) throw expired();
    return {
      sessionId: session.id,
      userId: session.user_id,
      sessionToken,
      refreshToken: nextRefresh,
      expiresAt,
      refreshExpiresAt: absolute,
    };
  }

  revoke(session: SsoSession): Promise<void> {
    return this.repository.revokeSession(session.id);
  }

  private seal(sessionId: string, idpRefreshToken: string | null): string | null {
    const key = this.config.credentials.key;
    return key && idpRefreshToken ? sealCredential(key, sessionId, idpRefreshToken) : null;
  }

  /** The IdP's refresh token of a session, opened; null when none was kept (or it no longer opens). */
  idpRefreshTokenOf(session: SsoSession): string | null {
    const key = this.config.credentials.key;
    if (!key || session.idp_refresh_token === null) return null;
    try {
      return openCredential(key, session.id, session.idp_refresh_token);
    } catch (error) {
      if (error instanceof CredentialSealError) return null;
      throw error;
    }
  }
}
