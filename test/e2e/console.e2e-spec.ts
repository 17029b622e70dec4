import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import {
  SCREENSHOTS,
  accessibilityProblems,
  launchChromium,
  newContext as laptop,
  signIn as signInAt,
} from './support/console';
import type { Gateway } from './support/gateway';
import { startGateway } from './support/gateway';

jest.setTimeout(240_000);

/*
 * The console end to end, in a real (headless) Chromium against the embedded gateway: served at
 * /console by control, signed in with the admin key, a key created on Get started and used on
 * /v1/chat/completions, revoked on API keys and refused from then on; a viewer is offered no key
 * creation. Every page passes axe-core without serious or critical violations; the screenshots
 * the README shows are taken here (docs/console/).
 */

describe('console (embedded mode)', () => {
  let gateway: Gateway;
  let browser: Browser;
  let url: string;

  const chat = (key: string) =>
    fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hello' }] }),
    });

  const signIn = (context: BrowserContext, key: string) => signInAt(context, url, key);
  const open = async (page: Page, path: string) => {
    await page.goto(`${url}/console/${path}?org=${gateway.orgId}&project=${gateway.projectId}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  };
  const newContext = () => laptop(browser);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gateway = await startGateway({ mode: 'embedded', label: 'console', catalogFile: join(__dirname, 'catalog.yaml') });
    url = gateway.stack.controlUrl;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('is served at /console: the page for client routes, hashed assets cached, an admin-UI header set', async () => {
    const index = await fetch(`${url}/console/api-keys`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${url}/console/assets/missing-0000.js`)).status).toBe(404);
    expect((await fetch(`${url}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
  });

  it('signs in with the admin key, creates a key that calls the API, and revokes it', async () => {
    const context = await newContext();
    const login = await context.newPage();
    await login.goto(`${url}/console/`);
    await login.getByLabel('Admin key').waitFor();
    expect(await accessibilityProblems(login)).toEqual([]);
    await login.screenshot({ path: join(SCREENSHOTS, 'login.png') });
    await login.close();

    const page = await signIn(context, gateway.adminKey);
    await open(page, 'get-started');
    await page.getByRole('button', { name: 'Create a key for app' }).waitFor();
    expect(await page.getByTestId('base-url').textContent()).toBe(`${url}/v1`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'get-started.png'), fullPage: true });

    await page.getByRole('button', { name: 'Create a key for app' }).click();
    const secret = (await page.getByTestId('secret').textContent())!;
    expect(secret).toMatch(/^pmx-/);
    expect(await page.getByRole('tabpanel').textContent()).toContain(secret);
    expect((await chat(secret)).status).toBe(200);

    await page.getByRole('link', { name: 'API keys' }).click();
    const name = `Get started ${new Date().toISOString().slice(0, 10)}`;
    const row = page.locator('tr', { has: page.getByRole('rowheader', { name: new RegExp(name) }) });
    await row.waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-keys.png'), fullPage: true });
    await page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-keys-dark.png'), fullPage: true });
    await page.getByRole('button', { name: 'Dark theme' }).click();

    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Name').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: /^Revoke/ }).click();
    const dialog = page.getByRole('dialog');
    expect(await accessibilityProblems(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await row.waitFor({ state: 'detached' });
    await pollUntil(
      () => chat(secret).then((response) => response.status),
      (status) => status === 401,
      { timeoutMs: 15_000 },
    );
    await context.close();
  });

  it('offers a viewer no key creation', async () => {
    const viewer = await gateway.admin<{ id: string }>('POST', `/orgs/${gateway.orgId}/users`, {
      email: `viewer-${Date.now()}@example.com`,
      roles: [{ role: 'viewer' }],
    });
    const { key } = await gateway.admin<{ key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'viewer personal key',
      userId: viewer.id,
    });
    const context = await newContext();
    const page = await signIn(context, key);
    expect(await page.getByTestId('principal').textContent()).toContain('viewer');
    await open(page, 'get-started');
    await page.getByText('Your roles do not create keys').waitFor();
    expect(await page.getByRole('button', { name: /Create a key/ }).count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('rowheader').first().waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Rotate|Revoke)/ }).count()).toBe(0);
    await context.close();
  });
});
