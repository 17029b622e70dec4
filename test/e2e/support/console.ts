import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import type { Gateway } from './gateway';

/*
 * What the console's end-to-end specs share: headless Chromium, axe-core, the screenshots'
 * folder (docs/console/), signing in with a key and opening a page on the gateway's project.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, '../../../docs/console');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: unknown[] }>;
}

/** axe-core's serious and critical violations on the page as it is now. */
export const accessibilityProblems = async (page: Page) => {
  // Evaluated over the DevTools protocol: the console's CSP (rightly) refuses an inline script tag.
  await page.evaluate(AXE);
  // A string, run in the page: the test's own TypeScript has no DOM.
  const violations = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, targets: violation.nodes.map((node) => node.target.join(' ')) }));
};

/** Headless Chromium, as the console's specs run it; the screenshots' folder made. */
export const launchBrowser = (): Promise<Browser> => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
};

/** A laptop-sized window in the light theme. */
export const newContext = (browser: Browser) =>
  browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });

/** The console at `url`, signed in with an admin key (the operator's or a personal one). */
export const signIn = async (context: BrowserContext, url: string, key: string) => {
  const page = await context.newPage();
  await page.goto(`${url}/console/`);
  await page.getByLabel('Admin key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('principal').waitFor();
  return page;
};

/** A console page on the gateway's org and project. */
export const openPage = (page: Page, gateway: Gateway, path: string) =>
  consoleDriver(page.context().browser()!, gateway.stack.controlUrl, gateway).open(page, path);

/** A personal key of a new user of the gateway's org holding `role`. */
export const personalKey = async (gateway: Gateway, role: string) => {
  const user = await gateway.admin<{ id: string }>('POST', `/orgs/${gateway.orgId}/users`, {
    email: `${role}-${Date.now()}@example.com`,
    roles: [{ role }],
  });
  const { key } = await gateway.admin<{ key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
    name: `${role} personal key`,
    userId: user.id,
  });
  return key;
};

/** The console served at `url` for one org's project: a context, sign-in with a key, opening a page. */
export const consoleDriver = (browser: Browser, url: string, selection: { orgId: string; projectId: string }) => ({
  newContext: () => newContext(browser),
  signIn: (context: BrowserContext, key: string): Promise<Page> => signIn(context, url, key),
  async open(page: Page, path: string): Promise<void> {
    await page.goto(`${url}/console/${path}?org=${selection.orgId}&project=${selection.projectId}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  },
});
