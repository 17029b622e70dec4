import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import type { Browser, Page } from 'playwright-core';

import { accessibilityProblems, launchBrowser, newContext, openPage, signIn } from './support/console';
import type { Gateway, Mode } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(300_000);

/*
 * Every page of the console, in both run modes: signed in as the instance operator, each page the
 * navigation offers loads its data through the admin API of that mode (no error state, no script
 * error, nothing left loading) and passes axe-core. The pages' own behaviour is in their specs.
 */

/** Waits until no loading state is left on the page; answers what it shows as errors. */
const settled = async (page: Page): Promise<string[]> => {
  const loading = page.locator('[role="status"] .spinner');
  await pollUntil(
    () => loading.count(),
    (count) => count === 0,
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  return page.locator('[role="alert"]').allTextContents();
};

describe.each(MODES)('console pages (%s mode)', (mode: Mode) => {
  let gateway: Gateway;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: `console-pages-${mode}`,
      catalogFile: join(__dirname, 'catalog.yaml'),
    });
    browser = await launchBrowser();
    // One call of an agent session, so usage, sessions and audit have a row to show.
    const answer = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.apiKey}`,
        'content-type': 'application/json',
        'x-polymux-session-id': `pages-${mode}`,
      },
      body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(answer.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('loads every page the navigation offers the operator, with no error and no accessibility violation', async () => {
    const context = await newContext(browser);
    const page = await signIn(context, gateway.stack.controlUrl, gateway.adminKey);
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    await openPage(page, gateway, 'get-started');
    const nav = page.getByRole('navigation', { name: 'Console' });
    const links: Array<{ label: string; path: string }> = [];
    for (const link of await nav.getByRole('link').all()) {
      links.push({ label: (await link.textContent()) ?? '', path: (await link.getAttribute('href')) ?? '' });
    }
    expect(links.map((link) => link.label)).toEqual([
      'Get started',
      'API keys',
      'Usage and costs',
      'Models',
      'Credits and billing',
      'Budgets and alerts',
      'Routing',
      'Sessions',
      'Audit',
      'Organisation',
    ]);
    const seen: Record<string, { errors: string[]; violations: unknown[] }> = {};
    for (const link of links) {
      await openPage(page, gateway, link.path.replace(/^\/console\//, '').split('?')[0]!);
      seen[link.label] = { errors: await settled(page), violations: await accessibilityProblems(page) };
    }
    expect(seen).toEqual(Object.fromEntries(links.map((link) => [link.label, { errors: [], violations: [] }])));
    expect(scriptErrors).toEqual([]);
    await context.close();
  });
});
