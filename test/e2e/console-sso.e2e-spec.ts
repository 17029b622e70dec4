import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { SCREENSHOTS, accessibilityProblems, launchBrowser, newContext, openPage } from './support/console';
import { freePort } from './support/free-port';
import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';
import type { TestProvider } from './support/oidc';
import { startProvider } from './support/oidc';

jest.setTimeout(240_000);

/*
 * The console's SSO sign-in end to end, in a real (headless) Chromium against the gateway and a real
 * OpenID Provider (`oidc-provider`, its login and consent pages as a browser shows them): "Sign in
 * with SSO", the IdP's forms, back at /console/sso/callback signed in as the user provisioned from
 * the claims with the roles their groups map to (and no action those roles may not take), the
 * session rotated before it expires, and sign-out revoking it at the API.
 */

interface ErrorView {
  error: { message: string; code: string };
}
interface MeView {
  user: { email: string; name: string | null } | null;
  org: { id: string } | null;
  roles: Array<{ role: string; teamId: string | null }>;
}

const CLIENT = { client_id: 'polymux-console', client_secret: 'polymux-console-e2e-secret' };
const ROLE_MAP = { 'pmx-viewers': 'viewer', 'pmx-auditors': 'auditor', 'pmx-admins': 'admin' };
const CREDENTIAL = 'polymux.console.credential';
/** The console's call redeeming the IdP's code (not its own page, /console/sso/callback). */
const CALLBACK = /\/admin\/v1\/sso\/callback\?/;

describe.each(MODES)('console SSO (%s mode)', (mode) => {
  let provider: TestProvider;
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  let signedInAt = 0;
  /** When the console asked for each refresh. */
  const refreshes: number[] = [];

  const me = async (token: string) => {
    const response = await fetch(`${url}/admin/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as MeView & ErrorView };
  };
  /** The session token the console signs its calls with (its tab's sessionStorage). */
  const sessionToken = async () => {
    const stored = await page.evaluate(`sessionStorage.getItem(${JSON.stringify(CREDENTIAL)})`);
    return stored === null ? null : (JSON.parse(stored as string) as { kind: string; token: string });
  };

  beforeAll(async () => {
    url = `http://127.0.0.1:${await freePort()}`;
    provider = await startProvider(
      [
        {
          ...CLIENT,
          redirect_uris: [`${url}/console/sso/callback`],
          grant_types: ['authorization_code', 'refresh_token'],
        },
      ],
      { vera: { claims: {} } },
    );
    gateway = await startGateway({
      mode,
      catalogFile: join(__dirname, 'catalog.yaml'),
      label: 'consolesso',
      env: {
        [mode === 'embedded' ? 'PORT' : 'CONTROL_PORT']: url.split(':')[2]!,
        POLYMUX_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        POLYMUX_SSO_ISSUER: provider.issuer,
        POLYMUX_SSO_ALLOW_HTTP: 'true',
        POLYMUX_SSO_CLIENT_ID: CLIENT.client_id,
        POLYMUX_SSO_CLIENT_SECRET: CLIENT.client_secret,
        POLYMUX_SSO_REDIRECT_URI: `${url}/console/sso/callback`,
        POLYMUX_SSO_SCOPES: 'openid email profile groups',
        POLYMUX_SSO_ROLE_MAP: JSON.stringify(ROLE_MAP),
        // The shortest session the settings allow: the console rotates it halfway, after 30 s.
        POLYMUX_SSO_SESSION_TTL_SECONDS: '60',
      },
    });
    expect(gateway.stack.controlUrl).toBe(url);
    await provider.setClaims('vera', {
      email: 'vera@example.com',
      email_verified: true,
      name: 'Vera Viewer',
      groups: ['pmx-viewers', 'pmx-auditors', 'unmapped'],
      polymux_org: gateway.orgId,
    });
    browser = await launchBrowser();
    context = await newContext(browser);
    page = await context.newPage();
    page.on('request', (request) => {
      if (request.url().endsWith('/admin/v1/sso/refresh')) refreshes.push(Date.now());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await provider?.stop();
  });

  it("signs in through the IdP's login and consent pages as the provisioned user, with the mapped roles only", async () => {
    await page.goto(`${url}/console/`);
    const sso = page.getByRole('link', { name: 'Sign in with SSO' });
    await sso.waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await sso.click();

    await page.waitForURL(`${provider.issuer}/interaction/**`);
    await page.getByLabel('Username').fill('vera');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The callback's exchange is held until axe has seen the console's waiting state.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(CALLBACK, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${url}/console/sso/callback**`);
    await page.getByText('Loading your SSO session').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    release();

    const principal = page.getByTestId('principal');
    await principal.waitFor();
    signedInAt = Date.now();
    await page.unroute(CALLBACK);
    const shown = (await principal.textContent())!;
    expect(shown).toMatch(/^Vera Viewer · /);
    expect(shown.split(' · ')[1]!.split(', ').sort()).toEqual(['auditor', 'viewer']);
    expect(new URL(page.url()).search).toBe('');
    const credential = (await sessionToken())!;
    expect(credential.kind).toBe('sso');
    expect(credential.token).toMatch(/^pmx_sess_/);
    const principalAtApi = await me(credential.token);
    expect(principalAtApi.status).toBe(200);
    expect(principalAtApi.body).toMatchObject({
      user: { email: 'vera@example.com', name: 'Vera Viewer' },
      org: { id: gateway.orgId },
    });
    expect(principalAtApi.body.roles.map((grant) => grant.role).sort()).toEqual(['auditor', 'viewer']);

    // A viewer and auditor reads keys and the audit trail, and is offered no key to create or revoke.
    await openPage(page, gateway, 'api-keys');
    await page.getByRole('rowheader').first().waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Rotate|Revoke)/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit' }).count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    if (mode === 'embedded') await page.screenshot({ path: join(SCREENSHOTS, 'sso-signed-in.png'), fullPage: true });
  });

  it('rotates the session before it expires: the old token stops working, the console stays signed in', async () => {
    const before = (await sessionToken())!.token;
    const refresh = await page.waitForResponse((response) => response.url().endsWith('/admin/v1/sso/refresh'), {
      timeout: 60_000,
    });
    expect(refresh.status()).toBe(200);
    // Halfway through the 60 s session, once (not again the moment a session is issued).
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]! - signedInAt).toBeGreaterThan(25_000);
    // A string, run in the page: the test's own TypeScript has no DOM.
    await page.waitForFunction(`!sessionStorage.getItem('${CREDENTIAL}')?.includes('${before}')`);
    const after = (await sessionToken())!.token;
    expect(after).toMatch(/^pmx_sess_/);
    expect((await me(before)).status).toBe(401);
    expect((await me(after)).status).toBe(200);
    await page.reload();
    await page.getByTestId('principal').waitFor();
    await page.getByRole('rowheader').first().waitFor();
    expect(refreshes).toHaveLength(1);
  });

  it('signs out, revoking the session at the API', async () => {
    const token = (await sessionToken())!.token;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
    expect(await sessionToken()).toBeNull();
    const after = await me(token);
    expect(after.status).toBe(401);
    expect(after.body.error).toMatchObject({
      code: 'unauthenticated',
      message: expect.stringMatching(/expired or was revoked/),
    });
  });

  it('says what to do when a callback cannot be finished', async () => {
    await page.goto(`${url}/console/sso/callback?code=stale&state=stale`);
    await page.getByRole('heading', { name: 'SSO sign-in failed' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/unknown or expired login/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
  });
});
