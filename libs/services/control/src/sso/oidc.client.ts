import type { PolymuxConfig, SsoConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type * as OpenId from 'openid-client';

import type { Claims } from './claim-mapping';

/** What a code exchange or a refresh gives: the user's claims and the IdP's refresh token, if any. */
export interface IdpTokens {
  claims: Claims;
  refreshToken: string | null;
}

/** The authorization request's secrets, kept until the callback. */
export interface AuthorizationRequest {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

interface Connected {
  lib: typeof OpenId;
  config: OpenId.Configuration;
}

/**
 * The relying party, on `openid-client`: discovery, the authorization URL with PKCE, state and
 * nonce, the code exchange, refresh, revocation and the end-session URL. The library is ESM-only:
 * it is imported on the first login (Node's `require(esm)` in the built CommonJS), so a process
 * without SSO never loads it, and neither do Jest's module system and the integration specs.
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger('Sso');
  private connected?: Promise<Connected>;

  constructor(@Inject(CONFIG) private readonly config: PolymuxConfig) {}

  get sso(): SsoConfig {
    if (!this.config.sso) throw new PolymuxException(ErrorCode.NotFound, 'SSO is not configured (POLYMUX_SSO_ISSUER)');
    return this.config.sso;
  }

  async authorizationRequest(): Promise<AuthorizationRequest> {
    const { lib, config } = await this.connect();
    const codeVerifier = lib.randomPKCECodeVerifier();
    const state = lib.randomState();
    const nonce = lib.randomNonce();
    const url = lib.buildAuthorizationUrl(config, {
      redirect_uri: this.sso.redirectUri,
      scope: this.sso.scopes.join(' '),
      code_challenge: await lib.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, nonce, codeVerifier };
  }

  /** Validates the callback (state, then the ID token and its nonce) and redeems its code with the PKCE verifier. */
  async exchange(callbackUrl: URL, login: { state: string; nonce: string; codeVerifier: string }): Promise<IdpTokens> {
    const { lib, config } = await this.connect();
    return this.idp(lib, async () => {
      const tokens = await lib.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      return this.tokensOf(lib, config, tokens);
    });
  }

  /** Redeems the IdP's refresh token: fresh claims, and the refresh token to keep (a rotated one, or the same). */
  async refresh(refreshToken: string): Promise<IdpTokens> {
    const { lib, config } = await this.connect();
    return this.idp(lib, async () => {
      const tokens = await lib.refreshTokenGrant(config, refreshToken);
      const fresh = await this.tokensOf(lib, config, tokens);
      return { ...fresh, refreshToken: fresh.refreshToken ?? refreshToken };
    });
  }

  /** Best effort: tells the IdP the refresh token is no longer wanted, where it has a revocation endpoint. */
  async revoke(refreshToken: string): Promise<void> {
    const { lib, config } = await this.connect();
    if (!config.serverMetadata().revocation_endpoint) return;
    await lib.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' }).catch((error: unknown) => {
      this.logger.warn(`the IdP did not revoke a refresh token: ${(error as Error).name}`);
    });
  }

  /** Where to send the browser to end its session at the IdP (RP-initiated logout), if the IdP offers it. */
  async endSessionUrl(): Promise<string | null> {
    const { lib, config } = await this.connect();
    if (!config.serverMetadata().end_session_endpoint) return null;
    const target = this.sso.postLogoutRedirectUri;
    return lib.buildEndSessionUrl(config, {
      client_id: this.sso.clientId,
      ...(target ? { post_logout_redirect_uri: target } : {}),
    }).href;
  }

  /** The ID token's claims overlaid with userinfo's (where IdPs put scope claims such as email and groups). */
  private async tokensOf(
    lib: typeof OpenId,
    config: OpenId.Configuration,
    tokens: OpenId.TokenEndpointResponse & OpenId.TokenEndpointResponseHelpers,
  ): Promise<IdpTokens> {
    const idToken = tokens.claims();
    let claims: Claims = { ...idToken };
    if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
      const subject = idToken?.sub ?? lib.skipSubjectCheck;
      claims = { ...claims, ...(await lib.fetchUserInfo(config, tokens.access_token, subject)) };
    }
    return { claims, refreshToken: tokens.refresh_token ?? null };
  }

  private connect(): Promise<Connected> {
    const { issuer, clientId, clientSecret, allowHttp } = this.sso;
    this.connected ??= (async () => {
      const lib = await import('openid-client');
      const auth = clientSecret === undefined ? lib.None() : lib.ClientSecretBasic(clientSecret);
      const config = await lib.discovery(new URL(issuer), clientId, undefined, auth, {
        ...(allowHttp ? { execute: [lib.allowInsecureRequests] } : {}),
        timeout: 10,
      });
      return { lib, config };
    })();
    // A failed discovery (the IdP down) is tried again on the next login.
    return this.connected.catch((error: unknown) => {
      this.connected = undefined;
      this.logger.warn(`OIDC discovery of ${issuer} failed: ${(error as Error).message}`);
      throw new PolymuxException(ErrorCode.ServiceUnavailable, 'the SSO identity provider is unreachable');
    });
  }

  /** The IdP's refusals as the caller's errors: a refused or invalid grant is a failed login, not a 500. */
  private async idp<T>(lib: typeof OpenId, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof PolymuxException) throw error;
      if (error instanceof lib.AuthorizationResponseError)
        throw new PolymuxException(ErrorCode.Forbidden, `the IdP refused the login: ${error.error}`);
      if (error instanceof lib.ResponseBodyError)
        throw new PolymuxException(ErrorCode.Unauthenticated, `the IdP refused the grant: ${error.error}`);
      if (error instanceof lib.ClientError)
        throw new PolymuxException(ErrorCode.Unauthenticated, `the IdP's answer failed validation: ${error.message}`);
      this.logger.warn(`SSO call to the IdP failed: ${(error as Error).name}`);
      throw new PolymuxException(ErrorCode.ServiceUnavailable, 'the SSO identity provider is unreachable');
    }
  }
}
