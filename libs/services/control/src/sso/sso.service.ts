import { randomBytes } from 'node:crypto';

import type { OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PolymuxConfig, SsoConfig } from '@polymux/config';
import { CONFIG, ConfigError } from '@polymux/config';
import { ErrorCode, PolymuxException, hashApiKey } from '@polymux/contracts';

import { RolesRepository } from '../access/roles.repository';
import type { Org, User } from '../control.repository';
import { ControlRepository } from '../control.repository';
import { ControlService, isUuid } from '../control.service';
import type { MappedIdentity } from './claim-mapping';
import { mapClaims, resolveTeams, roleMapProblems } from './claim-mapping';
import { OidcClient } from './oidc.client';
import type { IssuedSession } from './sso-session.service';
import { SsoSessionService } from './sso-session.service';
import { SsoRepository } from './sso.repository';

/** Who provisions and syncs users from the IdP's claims: the SSO integration itself, no key or caller. */
const SSO_SYNC = (orgId: string) => ({ keyId: null, userId: null, orgId, sourceAddress: null });

/** How long a login may take between the redirect to the IdP and its callback. */
const LOGIN_TTL_MS = 10 * 60_000;

const refuse = (message: string) => new PolymuxException(ErrorCode.Forbidden, message);
const grantsText = (grants: ReadonlyArray<{ role: string; teamId: string | null }>) =>
  grants.map((grant) => (grant.teamId ? `${grant.role}@${grant.teamId}` : grant.role)).join(',');

/**
 * OIDC login: the redirect to the IdP, its callback (users provisioned just in time in the org
 * their claims name, their roles synced from their groups at every login and refresh), refresh
 * and logout.
 */
@Injectable()
export class SsoService implements OnModuleInit {
  private readonly logger = new Logger('Sso');

  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly oidc: OidcClient,
    private readonly sessions: SsoSessionService,
    private readonly repository: SsoRepository,
    private readonly tenancy: ControlRepository,
    private readonly roles: RolesRepository,
    private readonly control: ControlService,
  ) {}

  /** Fails the start on a role map naming roles that do not exist (the config lib checks only its shape). */
  onModuleInit(): void {
    const problems = this.config.sso ? roleMapProblems(this.config.sso.roleMap) : [];
    if (problems.length > 0) throw new ConfigError(problems);
  }

  private get sso(): SsoConfig {
    return this.oidc.sso;
  }

  /** A login: the IdP's authorization URL, and the secret the browser keeps (a cookie) until the callback. */
  async start(): Promise<{ url: string; browserSecret: string }> {
    const request = await this.oidc.authorizationRequest();
    const browserSecret = randomBytes(32).toString('base64url');
    await this.repository.createLogin({
      state_hash: hashApiKey(request.state),
      browser_hash: hashApiKey(browserSecret),
      code_verifier: request.codeVerifier,
      nonce: request.nonce,
      expires_at: new Date(Date.now() + LOGIN_TTL_MS),
    });
    return { url: request.url, browserSecret };
  }

  /** The IdP's callback: checks it belongs to a login of this browser, redeems the code, provisions, opens a session. */
  async callback(
    query: URLSearchParams,
    browserSecret: string | undefined,
    sourceAddress: string | null = null,
  ): Promise<IssuedSession> {
    const { redirectUri } = this.sso;
    const state = query.get('state');
    if (!state) throw new PolymuxException(ErrorCode.InvalidRequest, 'the callback has no state', { param: 'state' });
    const login = await this.repository.takeLogin(hashApiKey(state));
    if (!login)
      throw new PolymuxException(
        ErrorCode.Unauthenticated,
        'unknown or expired login: start again at /admin/v1/sso/login',
      );
    if (!browserSecret || hashApiKey(browserSecret) !== login.browser_hash)
      throw new PolymuxException(ErrorCode.Unauthenticated, 'this login was started in another browser: start again');
    const callbackUrl = new URL(redirectUri);
    callbackUrl.search = query.toString();
    const tokens = await this.oidc.exchange(callbackUrl, {
      state,
      nonce: login.nonce,
      codeVerifier: login.code_verifier,
    });
    const user = await this.provision(mapClaims(tokens.claims, this.sso));
    const session = await this.sessions.open(user.id, tokens.refreshToken);
    // The user signs themself in, from the browser's address.
    const actor = { keyId: null, userId: user.id, orgId: user.org_id, sourceAddress };
    await this.control.audit(actor, 'sso.login', `user:${user.id}`, user.org_id, null, {
      sessionId: session.sessionId,
    });
    return session;
  }

  /**
   * Rotates a session. With the IdP's refresh token, the IdP is asked again: a refusal ends the
   * session, and the fresh claims re-sync the user's roles; without one, the session is re-issued
   * within its absolute lifetime.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const { session, idpRefreshToken } = await this.sessions.forRefresh(refreshToken);
    if (idpRefreshToken === null) return this.sessions.rotate(session, refreshToken, null);
    try {
      const tokens = await this.oidc.refresh(idpRefreshToken);
      const user = await this.provision(mapClaims(tokens.claims, this.sso));
      if (user.id !== session.user_id) throw refuse('the IdP answered for another user');
      return await this.sessions.rotate(session, refreshToken, tokens.refreshToken);
    } catch (error) {
      const refused =
        error instanceof PolymuxException && [ErrorCode.Unauthenticated, ErrorCode.Forbidden].includes(error.code);
      if (!refused) throw error;
      await this.sessions.revoke(session);
      throw new PolymuxException(error.code, `the session ended: ${error.message}`);
    }
  }

  /** Revokes the session of a session or refresh token; the IdP's logout URL, if it offers one. */
  async logout(token: string, sourceAddress: string | null = null): Promise<{ endSessionUrl: string | null }> {
    const session = await this.sessions.forLogout(token);
    await this.sessions.revoke(session);
    const idpRefreshToken = this.sessions.idpRefreshTokenOf(session);
    if (idpRefreshToken) await this.oidc.revoke(idpRefreshToken);
    const user = await this.tenancy.findUser(session.user_id);
    if (user)
      await this.control.audit(
        { keyId: null, userId: user.id, orgId: user.org_id, sourceAddress },
        'sso.logout',
        `user:${user.id}`,
        user.org_id,
        null,
        {
          sessionId: session.id,
        },
      );
    return { endSessionUrl: await this.oidc.endSessionUrl() };
  }

  /** The user behind the claims, created on their first login, with their roles re-synced. */
  private async provision(identity: MappedIdentity): Promise<User> {
    const org = await this.orgOf(identity.org);
    const { grants, unknownTeams } = resolveTeams(identity.grants, await this.tenancy.listTeams(org.id));
    if (unknownTeams.length > 0)
      this.logger.warn(`POLYMUX_SSO_ROLE_MAP names teams org ${org.id} does not have: ${unknownTeams.join(', ')}`);
    const identityOf = {
      issuer: this.sso.issuer,
      subject: identity.subject,
      email: identity.email,
      name: identity.name,
    };
    let user = await this.repository.findUserBySubject(this.sso.issuer, identity.subject);
    if (user && user.org_id !== org.id) throw refuse('your IdP account is a user of another organisation in Polymux');
    if (!user) {
      const existing = await this.repository.findUserByEmail(org.id, identity.email);
      if (existing && (existing.idp_subject !== null || !identity.emailVerified))
        throw refuse('a user of this email exists in the organisation and is not linked to your IdP account');
      if (!existing && grants.length === 0) throw this.noRoles();
      user = existing ?? (await this.createUser(org, identityOf));
    }
    user = await this.repository.updateUser(user, identityOf);
    const before = grantsText(await this.roles.rolesOf(user.id));
    await this.roles.replace(user.id, org.id, grants);
    if (grantsText(grants) !== before)
      await this.control.audit(SSO_SYNC(org.id), 'user.roles_sync', `user:${user.id}`, org.id, null, {
        roles: grantsText(grants),
        via: 'sso',
      });
    if (grants.length === 0) throw this.noRoles();
    return user;
  }

  private async createUser(
    org: Org,
    identity: { issuer: string; subject: string; email: string; name: string | null },
  ) {
    const user = await this.repository.createUser({
      org_id: org.id,
      email: identity.email,
      name: identity.name,
      idp_issuer: identity.issuer,
      idp_subject: identity.subject,
    });
    if (!user)
      throw new PolymuxException(ErrorCode.Conflict, 'this user is being provisioned by another login: try again');
    await this.control.audit(SSO_SYNC(org.id), 'user.create', `user:${user.id}`, org.id, null, {
      via: 'sso',
    });
    return user;
  }

  private noRoles() {
    return refuse('none of your IdP groups grants a Polymux role (POLYMUX_SSO_ROLE_MAP)');
  }

  /** The org an org claim names, by id or by name; unknown or ambiguous names are refused. */
  private async orgOf(value: string): Promise<Org> {
    const orgs = isUuid(value)
      ? [await this.tenancy.findOrg(value)].filter((org): org is Org => org !== undefined)
      : await this.repository.findOrgsByName(value);
    if (orgs.length === 0)
      throw refuse(
        `no Polymux organisation ${JSON.stringify(value)}: an operator creates it first (POST /admin/v1/orgs)`,
      );
    if (orgs.length > 1) throw refuse(`several organisations are named ${JSON.stringify(value)}: send its id instead`);
    return orgs[0]!;
  }
}
