import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Where the console's screenshots for the README are kept. */
export const SCREENSHOTS = join(__dirname, '../../../docs/console');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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

/** Headless Chromium (`CHROMIUM_PATH`, else /usr/bin/chromium), quiet: no background traffic. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
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

/** Drives the console served at `url`: a laptop-sized context, sign-in with a key, a page of an org's project. */
export const consoleDriver = (browser: Browser, url: string, selection: { orgId: string; projectId: string }) => ({
  newContext: () => browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' }),
  async signIn(context: BrowserContext, key: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${url}/console/`);
    await page.getByLabel('Admin key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('principal').waitFor();
    return page;
  },
  async open(page: Page, path: string): Promise<void> {
    await page.goto(`${url}/console/${path}?org=${selection.orgId}&project=${selection.projectId}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  },
});
