import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import type { Browser, Page } from 'playwright-core';

import { SCREENSHOTS, accessibilityProblems, consoleDriver, launchBrowser } from './support/console';
import { freePort } from './support/free-port';
import type { Gateway } from './support/gateway';
import { startGateway } from './support/gateway';

jest.setTimeout(300_000);

/*
 * The console's Routing, Sessions and Audit pages in headless Chromium against the embedded
 * gateway (HTTP → services → database): a project's routing policy edited on Routing (a refusal
 * shown at its field first) and honoured by `/v1/routing/explain` through the playground, with a
 * key created on Get started in the same tab; calls sent with a session and parent ids seen as a
 * chain with cost, latency and Jaeger links on Sessions; their audit records on Audit, filtered by
 * action, with the chain verified intact and an export downloaded; an auditor reads the trail and
 * the policy but is offered no edit. axe-core on each page; screenshots into docs/console/. In the
 * distributed mode the playground calls the data plane on its own port (CSP and CORS allow it).
 */

const STRONG = 'claude-sonnet-4-5';
const SMALL = 'gpt-4.1-nano';
const JAEGER = 'http://127.0.0.1:16686';

describe('console: routing, sessions and audit (embedded mode)', () => {
  let gateway: Gateway;
  let browser: Browser;
  let driver: ReturnType<typeof consoleDriver>;
  const sessionId = `console-run-${Date.now()}`;
  const requestIds: string[] = [];

  const chat = async (headers: Record<string, string>) => {
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Plan the next step.' }] }),
    });
    expect(response.status).toBe(200);
    await response.json();
    return response.headers.get('x-request-id')!;
  };
  const noProblems = async (page: Page) => expect(await accessibilityProblems(page)).toEqual([]);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gateway = await startGateway({
      mode: 'embedded',
      label: 'trail',
      catalogFile: join(__dirname, 'routing-policies.catalog.yaml'),
      env: { POLYMUX_JAEGER_URL: JAEGER },
    });
    browser = await launchBrowser();
    driver = consoleDriver(browser, gateway.stack.controlUrl, gateway);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it("edits the project's routing policy, and the playground's explanation honours it", async () => {
    const context = await driver.newContext();
    const page = await driver.signIn(context, gateway.adminKey);
    // A key created on Get started stays in this tab's memory for the playground.
    await driver.open(page, 'get-started');
    await page.getByRole('button', { name: 'Create a key for app' }).click();
    await page.getByTestId('secret').waitFor();
    await page.getByRole('link', { name: 'Routing' }).click();
    await page.getByRole('heading', { name: 'Routing', level: 1 }).waitFor();
    await page.getByText('No policy is attached to project app yet').waitFor();

    // The API's refusal is shown at the field it names.
    const inputPrice = page.getByLabel('Highest input price (USD per million tokens)');
    await inputPrice.fill('cheap');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    expect(await inputPrice.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').textContent()).toContain('maxPricePerMTok.input');
    await noProblems(page);

    await inputPrice.fill('');
    await page.getByLabel('Denied models').fill(STRONG);
    await page.getByLabel('Order candidates by').selectOption('best-quality');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Saved the policy of project app.').waitFor();
    const stored = await gateway.admin<{ policy: unknown }>('GET', `/routing-policies/project/${gateway.projectId}`);
    expect(stored.policy).toEqual({ denyModels: [STRONG], strategy: { type: 'best-quality' } });
    await page.getByRole('rowheader', { name: 'project app' }).waitFor();

    expect(await page.getByLabel('API key').inputValue()).not.toBe('paste');
    await page.getByLabel('Content of message 1').fill('Hi there, how are you today?');
    const strong = page.locator('tr', { has: page.getByRole('rowheader', { name: `anthropic/${STRONG}` }) });
    // The change is a broadcast: ingress drops its cached key, and the next explanation follows it.
    await pollUntil(
      async () => {
        await page.getByRole('button', { name: 'Explain routing' }).click();
        await page.getByTestId('choice').waitFor();
        return (await strong.textContent()) ?? '';
      },
      (row) => row.includes('Excluded'),
      { timeoutMs: 15_000 },
    );
    expect(await strong.textContent()).toContain('denied by the routing policy');
    expect(await page.getByTestId('choice').textContent()).toContain(SMALL);
    expect(await page.getByTestId('explanation').textContent()).toContain('best-quality');
    await noProblems(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'routing.png'), fullPage: true });
    // The prompt typed in the playground is kept in no storage.
    const storage = await page.evaluate(
      'JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])',
    );
    expect(storage).not.toContain('how are you today');
    await context.close();
  });

  it("shows a session's call chain with its cost, latency and trace links", async () => {
    const root = await chat({ 'x-polymux-session-id': sessionId });
    const child = await chat({ 'x-polymux-session-id': sessionId, 'x-polymux-parent-request-id': root });
    const grandchild = await chat({ 'x-polymux-session-id': sessionId, 'x-polymux-parent-request-id': child });
    requestIds.push(root, child, grandchild);
    await pollUntil(
      () => gateway.admin<{ totals: { calls: number } }>('GET', `/sessions/${sessionId}`).catch(() => undefined),
      (session) => session?.totals.calls === 3,
      { timeoutMs: 15_000 },
    );

    const context = await driver.newContext();
    const page = await driver.signIn(context, gateway.adminKey);
    await driver.open(page, 'sessions');
    const recent = page.getByRole('region', { name: 'Recent sessions' });
    await recent.getByRole('button', { name: `Show session ${sessionId}` }).click();
    const chain = page.getByRole('region', { name: 'Call chain' });
    await chain.waitFor();
    const rows = chain.locator('tbody tr');
    expect(await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-request-id')))).toEqual(
      requestIds,
    );
    expect(await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-depth')))).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect(await rows.nth(1).textContent()).toContain(`led to by ${root}`);
    expect(await rows.nth(2).textContent()).toMatch(/\$0\.\d+/);
    expect(await rows.nth(2).textContent()).toMatch(/\d+ ms/);
    const totals = (await page.getByTestId('session-totals').textContent())!;
    expect(totals).toMatch(/Calls3/);
    expect(totals).toMatch(/ms in calls/);
    const trace = await page.getByRole('link', { name: `Trace of ${child} in Jaeger` }).getAttribute('href');
    const traceUrl = new URL(trace!);
    expect(`${traceUrl.origin}${traceUrl.pathname}`).toBe(`${JAEGER}/search`);
    expect(JSON.parse(traceUrl.searchParams.get('tags')!)).toEqual({ 'polymux.request_id': child });
    expect(traceUrl.searchParams.get('service')).toBe('standalone');
    await noProblems(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'sessions.png'), fullPage: true });
    await context.close();
  });

  it('shows those calls in the audit trail: filtered by action, details, the chain intact, an export', async () => {
    await pollUntil(
      () =>
        gateway.admin<{ data: unknown[] }>('GET', `/audit?action=chat.completions.create&requestId=${requestIds[2]}`),
      (records) => records.data.length === 1,
      { timeoutMs: 15_000 },
    );
    const context = await driver.newContext();
    const page = await driver.signIn(context, gateway.adminKey);
    await driver.open(page, 'audit');
    await page.getByRole('region', { name: 'Audit records' }).waitFor();
    await page.getByLabel('Action', { exact: true }).fill('chat.completions.create');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const region = page.getByRole('region', { name: 'Audit records' });
    await pollUntil(
      () => region.locator('tbody tr').evaluateAll((list) => list.map((row) => row.getAttribute('data-action'))),
      (actions) => actions.length >= 3 && actions.every((action) => action === 'chat.completions.create'),
      { timeoutMs: 10_000 },
    );
    await region
      .getByRole('button', { name: /^Details of record/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain(sessionId);
    await noProblems(page);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByTestId('verify-status').getByText('Intact').waitFor();
    await noProblems(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'audit.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download export' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('polymux-audit.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^seq,id,occurred_at,category,action/);
    for (const requestId of requestIds) expect(csv).toContain(requestId);
    expect(csv).not.toContain('routing_policy.set');
    await context.close();
  });

  it('offers an auditor the trail and the policy, but no policy edit', async () => {
    const auditor = await gateway.admin<{ id: string }>('POST', `/orgs/${gateway.orgId}/users`, {
      email: `auditor-${Date.now()}@example.com`,
      roles: [{ role: 'auditor' }],
    });
    const { key } = await gateway.admin<{ key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'auditor personal key',
      userId: auditor.id,
    });
    const context = await driver.newContext();
    const page = await driver.signIn(context, key);
    expect(await page.getByTestId('principal').textContent()).toContain('auditor');
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('region', { name: 'Audit records' }).waitFor();
    await page.getByRole('link', { name: 'Routing' }).click();
    expect(await page.getByTestId('policy-json').textContent()).toContain(STRONG);
    expect(await page.getByRole('button', { name: /Save policy|Remove policy/ }).count()).toBe(0);
    expect(await page.getByLabel('Denied models').count()).toBe(0);
    await noProblems(page);
    await context.close();
  });
});

describe('console: the routing playground (distributed mode: the data plane on another origin)', () => {
  let gateway: Gateway;
  let browser: Browser;

  beforeAll(async () => {
    // Known before the start: the console computes the data plane's address from control's PORT.
    const port = await freePort();
    gateway = await startGateway({
      mode: 'distributed',
      label: 'trail',
      catalogFile: join(__dirname, 'routing-policies.catalog.yaml'),
      env: { PORT: String(port) },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it("explains from the console on control's port, through explain's CORS", async () => {
    const control = new URL(gateway.stack.controlUrl);
    const ingress = new URL(gateway.stack.ingressUrl);
    expect(control.origin).not.toBe(ingress.origin);
    const preflight = await fetch(`${gateway.stack.ingressUrl}/v1/routing/explain`, {
      method: 'OPTIONS',
      headers: { origin: control.origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    // Any other data-plane endpoint stays closed to other origins.
    const models = await fetch(`${gateway.stack.ingressUrl}/v1/models`, { headers: { origin: control.origin } });
    expect(models.headers.get('access-control-allow-origin')).toBeNull();

    const driver = consoleDriver(browser, gateway.stack.controlUrl, gateway);
    const context = await driver.newContext();
    const page = await driver.signIn(context, gateway.adminKey);
    await driver.open(page, 'routing');
    expect(await page.getByText('/v1/routing/explain').first().textContent()).toContain(`:${ingress.port}/`);
    await page.getByLabel('API key').fill(gateway.apiKey);
    await page.getByLabel('Content of message 1').fill('Hi there, how are you today?');
    await page.getByRole('button', { name: 'Explain routing' }).click();
    await page.getByTestId('choice').waitFor();
    expect(await page.getByTestId('choice').textContent()).toContain(SMALL);
    // A refusal crosses the origin too, with what to do.
    await page.getByLabel('API key').fill('pmx-not-a-key-of-this-gateway');
    await page.getByRole('button', { name: 'Explain routing' }).click();
    await page.getByText('The API key was refused').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await context.close();
  });
});
