import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';
import type { TestProvider } from './support/oidc';
import { freePort } from './support/free-port';
import { Browser, authorize, logIn, startProvider } from './support/oidc';

jest.setTimeout(180_000);

/*
 * SSO end to end against a real OpenID Provider (`oidc-provider`, in a child process): the
 * authorization code flow with PKCE driven by HTTP as a browser would, users provisioned in the org
 * their claims name with roles from their groups, the session token on the admin API, refresh
 * (through the IdP's refresh token, or re-issued without one), reuse detection and logout.
 */

interface SessionView {
  object: string;
  sessionToken: string;
  refreshToken: string;
  expiresAt: string;
  refreshExpiresAt: string;
  userId: string;
}
interface MeView {
  operator: boolean;
  user: { id: string; email: string; name: string | null } | null;
  org: { id: string; name: string } | null;
  roles: Array<{ role: string; teamId: string | null; team: string | null }>;
}
interface ErrorView {
  error: { message: string; type: string; code: string };
}

const CLIENT = { client_id: 'polymux', client_secret: 'polymux-e2e-client-secret' };
const ROLE_MAP = {
  'pmx-admins': 'admin',
  'pmx-ml-devs': { role: 'developer', team: 'ml' },
  'pmx-viewers': ['viewer'],
};

describe.each(MODES)('SSO (%s mode)', (mode) => {
  let provider: TestProvider;
  let gateway: Gateway;
  let controlUrl: string;
  let orgName: string;
  let orgId: string;
  let teamId: string;
  let bobId: string;

  const claimsOf = (name: string, groups: string[], org: string) => ({
    email: `${name}@example.com`,
    email_verified: true,
    name,
    groups,
    polymux_org: org,
  });
  const api = async <T>(method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const loginAs = async (accountId: string) => {
    const { response } = await logIn(new Browser(), controlUrl, accountId);
    return { status: response.status, body: (await response.json()) as SessionView & ErrorView };
  };

  beforeAll(async () => {
    const port = await freePort();
    controlUrl = `http://127.0.0.1:${port}`;
    orgName = `sso-${mode}-${process.pid}-${Date.now()}`;
    provider = await startProvider(
      [
        {
          ...CLIENT,
          redirect_uris: [`${controlUrl}/admin/v1/sso/callback`],
          post_logout_redirect_uris: [`${controlUrl}/signed-out`],
          grant_types: ['authorization_code', 'refresh_token'],
        },
      ],
      {
        alice: { claims: {} },
        bob: { claims: {}, refreshTokens: false },
        mallory: { claims: claimsOf('mallory', ['pmx-admins'], 'no-such-org') },
        nobody: { claims: {} },
      },
    );
    gateway = await startGateway({
      mode,
      catalogFile: join(__dirname, 'catalog.yaml'),
      label: 'sso',
      creditsUsd: null,
      env: {
        [mode === 'embedded' ? 'PORT' : 'CONTROL_PORT']: String(port),
        POLYMUX_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        POLYMUX_SSO_ISSUER: provider.issuer,
        POLYMUX_SSO_ALLOW_HTTP: 'true',
        POLYMUX_SSO_CLIENT_ID: CLIENT.client_id,
        POLYMUX_SSO_CLIENT_SECRET: CLIENT.client_secret,
        POLYMUX_SSO_REDIRECT_URI: `${controlUrl}/admin/v1/sso/callback`,
        POLYMUX_SSO_POST_LOGOUT_REDIRECT_URI: `${controlUrl}/signed-out`,
        POLYMUX_SSO_SCOPES: 'openid email profile groups',
        POLYMUX_SSO_ROLE_MAP: JSON.stringify(ROLE_MAP),
      },
    });
    expect(gateway.stack.controlUrl).toBe(controlUrl);
    orgId = (await gateway.admin<{ id: string }>('POST', '/orgs', { name: orgName })).id;
    teamId = (await gateway.admin<{ id: string }>('POST', `/orgs/${orgId}/teams`, { name: 'ml' })).id;
    await gateway.admin('POST', `/orgs/${orgId}/projects`, { name: 'sso-app', teamId });
    // Bob exists before his first login (created by an admin): his verified email links him.
    bobId = (await gateway.admin<{ id: string }>('POST', `/orgs/${orgId}/users`, { email: 'BOB@example.com' })).id;
    await provider.setClaims('alice', claimsOf('alice', ['pmx-admins', 'pmx-ml-devs', 'other'], orgName));
    await provider.setClaims('bob', claimsOf('bob', ['pmx-viewers'], orgId));
    await provider.setClaims('nobody', claimsOf('nobody', ['unmapped'], orgName));
  });

  afterAll(async () => {
    await gateway?.stop();
    await provider?.stop();
  });

  it('logs in with PKCE, provisions the user in the claimed org with mapped roles, and serves the admin API', async () => {
    const browser = new Browser();
    const { response, authorizationUrl, callbackUrl } = await logIn(browser, controlUrl, 'alice');
    expect(authorizationUrl.origin).toBe(provider.issuer);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    for (const param of ['code_challenge', 'state', 'nonce'])
      expect(authorizationUrl.searchParams.get(param)).toMatch(/^[\w-]{20,}$/);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const session = (await response.json()) as SessionView;
    expect(session).toMatchObject({ object: 'sso.session', sessionToken: expect.stringMatching(/^pmx_sess_/) });
    expect(Date.parse(session.expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);

    const me = await api<MeView>('GET', '/me', session.sessionToken);
    expect(me).toMatchObject({ status: 200, body: { operator: false, org: { id: orgId, name: orgName } } });
    expect(me.body.user).toEqual({ id: session.userId, email: 'alice@example.com', name: 'alice' });
    expect(me.body.roles).toEqual([
      { role: 'admin', teamId: null, team: null },
      { role: 'developer', teamId, team: 'ml' },
    ]);
    const projects = await api<{ data: Array<{ name: string }> }>(
      'GET',
      `/orgs/${orgId}/projects`,
      session.sessionToken,
    );
    expect(projects.status).toBe(200);
    expect(projects.body.data.map((project) => project.name)).toEqual(['sso-app']);

    // A callback is redeemed once, and only in the browser that started its login.
    const replay = await browser.fetch(callbackUrl);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as ErrorView).error.message).toMatch(/unknown or expired login/);
    const other = await authorize(new Browser(), controlUrl, 'alice');
    const stranger = await fetch(other.callbackUrl);
    expect(stranger.status).toBe(401);
    expect(((await stranger.json()) as ErrorView).error.message).toMatch(/started in another browser/);
  });

  it('refreshes through the IdP, re-syncing roles, and revokes a session whose refresh token is reused', async () => {
    const first = await loginAs('alice');
    await provider.setClaims('alice', claimsOf('alice', ['pmx-viewers'], orgName));
    const refreshed = await api<SessionView>('POST', '/sso/refresh', undefined, {
      refreshToken: first.body.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.sessionToken).not.toBe(first.body.sessionToken);
    expect(refreshed.body.refreshExpiresAt).toBe(first.body.refreshExpiresAt);
    expect((await api('GET', '/me', first.body.sessionToken)).status).toBe(401);
    const me = await api<MeView>('GET', '/me', refreshed.body.sessionToken);
    expect(me.body.roles).toEqual([{ role: 'viewer', teamId: null, team: null }]);
    // The session's roles limit it as a personal key's would: a viewer reads, and changes nothing.
    expect((await api('GET', `/orgs/${orgId}/projects`, refreshed.body.sessionToken)).status).toBe(200);
    const create = await api<ErrorView>('POST', `/orgs/${orgId}/teams`, refreshed.body.sessionToken, { name: 'no' });
    expect(create).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });

    const reused = await api<ErrorView>('POST', '/sso/refresh', undefined, { refreshToken: first.body.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body.error.message).toMatch(/already used/);
    expect((await api('GET', '/me', refreshed.body.sessionToken)).status).toBe(401);

    // Groups that map to no role any more: the refresh ends the session.
    const second = await loginAs('alice');
    await provider.setClaims('alice', claimsOf('alice', ['other'], orgName));
    const refused = await api<ErrorView>('POST', '/sso/refresh', undefined, { refreshToken: second.body.refreshToken });
    expect(refused.status).toBe(403);
    expect((await api('GET', '/me', second.body.sessionToken)).status).toBe(401);
    await provider.setClaims('alice', claimsOf('alice', ['pmx-admins', 'pmx-ml-devs', 'other'], orgName));
  });

  it('links an existing user by verified email, re-issues sessions without an IdP refresh token, and logs out', async () => {
    const login = await loginAs('bob');
    expect(login.status).toBe(200);
    expect(login.body.userId).toBe(bobId);
    // Without an IdP refresh token the refresh does not ask the IdP: his roles stay as at login.
    await provider.setClaims('bob', claimsOf('bob', ['pmx-admins'], orgId));
    const refreshed = await api<SessionView>('POST', '/sso/refresh', undefined, {
      refreshToken: login.body.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    const me = await api<MeView>('GET', '/me', refreshed.body.sessionToken);
    expect(me.body).toMatchObject({ user: { id: bobId, name: 'bob' }, roles: [{ role: 'viewer', teamId: null }] });
    await provider.setClaims('bob', claimsOf('bob', ['pmx-viewers'], orgId));

    const logout = await api<{ revoked: boolean; endSessionUrl: string }>(
      'POST',
      '/sso/logout',
      refreshed.body.sessionToken,
    );
    expect(logout.status).toBe(200);
    const endSession = new URL(logout.body.endSessionUrl);
    expect(endSession.origin).toBe(provider.issuer);
    expect(endSession.searchParams.get('client_id')).toBe(CLIENT.client_id);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${controlUrl}/signed-out`);
    const after = await api<ErrorView>('GET', '/me', refreshed.body.sessionToken);
    expect(after.status).toBe(401);
    expect(after.body.error).toMatchObject({
      code: 'unauthenticated',
      message: expect.stringMatching(/expired or was revoked/),
    });
    const again = await api('POST', '/sso/refresh', undefined, { refreshToken: refreshed.body.refreshToken });
    expect(again.status).toBe(401);
  });

  it('refuses an unknown org and users whose groups map to no role, in the OpenAI error shape', async () => {
    const unknown = await loginAs('mallory');
    expect(unknown.status).toBe(403);
    expect(unknown.body.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/no-such-org/) });
    const roleless = await loginAs('nobody');
    expect(roleless.status).toBe(403);
    expect(roleless.body.error.message).toMatch(/none of your IdP groups/);
    const users = await gateway.admin<{ data: Array<{ email: string }> }>('GET', `/orgs/${orgId}/users`);
    expect(users.data.map((user) => user.email).sort()).toEqual(['alice@example.com', 'bob@example.com']);
    expect((await api('GET', '/me', 'pmx_sess_not-a-session')).status).toBe(401);
    const bad = await api<ErrorView>('POST', '/sso/refresh', undefined, { refreshToken: 7 });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
  });
});
