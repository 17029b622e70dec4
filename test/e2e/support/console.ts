import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** The console's end-to-end tests: headless Chromium, axe-core, the screenshots under docs/console/. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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

/** A laptop-sized window in the light theme. */
export const newContext = (browser: Browser): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });

/** Signs in on the console's login page with an admin or personal key; answers the signed-in page. */
export const signIn = async (context: BrowserContext, url: string, key: string): Promise<Page> => {
  const page = await context.newPage();
  await page.goto(`${url}/console/`);
  await page.getByLabel('Admin key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('principal').waitFor();
  return page;
};
