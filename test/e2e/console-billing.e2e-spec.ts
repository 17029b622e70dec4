import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import type { Browser, Page } from 'playwright-core';

import {
  SCREENSHOTS,
  accessibilityProblems,
  launchBrowser,
  newContext,
  openPage,
  personalKey,
  signIn,
} from './support/console';
import type { Gateway } from './support/gateway';
import { startGateway } from './support/gateway';

jest.setTimeout(240_000);

/*
 * The console's Credits and billing and Budgets and alerts pages end to end, in headless Chromium
 * against the embedded gateway (HTTP → control → billing → PGlite): the operator sees the balance,
 * tops up and finds the top-up in the ledger, downloads the month's statement as the API's CSV;
 * creates a project budget whose spend moves with a call made with an API key, and a webhook
 * endpoint whose secret is shown once and whose alert arrives; a hard limit set below the next
 * call's cost refuses it (402). An auditor and a viewer are offered no top-up and no budget change.
 * axe-core on every page; docs/console/credits.png and budgets.png.
 */

describe('console: credits, budgets and alerts (embedded mode)', () => {
  let gateway: Gateway;
  let browser: Browser;
  let receiver: Server;
  let hooks: string;
  const received: string[] = [];

  const chat = (key: string) =>
    fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'small-model',
        messages: [{ role: 'user', content: 'Say hello.' }],
        max_tokens: 15,
      }),
    });
  const operator = async () => signIn(await newContext(browser), gateway.stack.controlUrl, gateway.adminKey);
  const budgetCard = (page: Page) => page.locator('li.card', { has: page.getByRole('progressbar') }).first();

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        received.push(request.url ?? '/');
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    gateway = await startGateway({
      mode: 'embedded',
      label: 'consolebilling',
      catalogFile: join(__dirname, 'budgets.catalog.yaml'),
      env: { POLYMUX_WEBHOOKS_ALLOW_LOOPBACK_HTTP: 'true' },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('shows the operator the balance, tops up, lists the top-up in the ledger and downloads the statement CSV', async () => {
    const page = await operator();
    await openPage(page, gateway, 'credits');
    await page.getByTestId('balance').filter({ hasText: '$10.00' }).waitFor();
    await page.getByTestId('plan').filter({ hasText: 'Pay as you go' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    const amount = page.getByLabel('Amount (USD)');
    await amount.fill('2.5');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByTestId('balance').filter({ hasText: '$12.50' }).waitFor();
    const topUp = page.locator('tr', { has: page.getByRole('rowheader', { name: 'Top-up' }), hasText: '+$2.50' });
    await topUp.waitFor();
    await page.getByLabel('Kind').selectOption('charge');
    await page.getByText('No entry matches').waitFor();
    await page.getByLabel('Kind').selectOption('');
    await topUp.waitFor();

    const period = await page.getByLabel('Month').inputValue();
    await page.getByTestId('closing-total').filter({ hasText: '$12.50' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`statement-${period}-UTC.csv`);
    const file = readFileSync((await download.path())!, 'utf8');
    const answer = await fetch(
      `${gateway.stack.controlUrl}/admin/v1/orgs/${gateway.orgId}/statement?period=${period}&timezone=UTC&format=csv`,
      { headers: { authorization: `Bearer ${gateway.adminKey}` } },
    );
    expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(file).toBe(await answer.text());
    expect(file.split('\n')[0]).toBe('scope,project_id,project_name,from,to,line,amount_usd,amount_nano_usd');
    expect(file).toMatch(/^total,,,[^,]+,[^,]+,top_ups,12\.5,12500000000$/m);

    await amount.fill('10.00');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'credits.png'), fullPage: true });
    await page.context().close();
  });

  it('creates a project budget whose spend moves with a call, and a webhook endpoint whose secret is shown once', async () => {
    const page = await operator();
    await openPage(page, gateway, 'budgets');
    await page.getByText('No budget yet').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'New budget' }).click();
    expect(await page.getByLabel('Project of the budget').inputValue()).toBe(gateway.projectId);
    await page.getByLabel('Amount (USD)').fill('0.00015');
    await page.getByLabel('Alert thresholds (% of the amount)').fill('50, 100');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create budget' }).click();
    const bar = page.getByRole('progressbar', { name: 'Spend of Monthly budget of Project app' });
    await bar.waitFor();
    expect(await page.getByTestId('budget-spent').textContent()).toBe('$0.00');

    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill(`${hooks}/alerts`);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    const endpoint = page.locator('li.card', { hasText: `${hooks}/alerts` });
    await endpoint.waitFor();
    const [stored] = (
      await gateway.admin<{ data: Array<{ secretPrefix: string; secret?: string }> }>(
        'GET',
        `/webhooks?orgId=${gateway.orgId}`,
      )
    ).data;
    expect(stored!.secret).toBeUndefined();
    expect(secret.startsWith(stored!.secretPrefix)).toBe(true);
    expect(await endpoint.textContent()).toContain(`${stored!.secretPrefix}…`);
    expect(await endpoint.textContent()).not.toContain(secret);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByTestId('secret').count()).toBe(0);

    const call = await chat(gateway.apiKey);
    expect(call.status).toBe(200);
    const requestId = call.headers.get('x-request-id')!;
    await call.json();
    const spent = await pollUntil(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return page.getByTestId('budget-spent').textContent();
      },
      (text) => text !== '$0.00',
      { timeoutMs: 20_000 },
    );
    const charged = (await gateway.charges(requestId)).reduce((sum, entry) => sum - BigInt(entry.amountNanoUsd), 0n);
    expect(spent).toBe(`$0.${charged.toString().padStart(9, '0').replace(/0+$/, '')}`);
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(50);

    // The alert: POSTed to the endpoint, in its delivery log and in the history (the audit fact).
    await pollUntil(
      async () => received.length,
      (count) => count > 0,
      { timeoutMs: 20_000 },
    );
    const alert = page.getByRole('region', { name: 'Budget alerts' }).getByRole('row', { name: /Project app/ });
    await pollUntil(
      async () => {
        await page.reload();
        await page.getByRole('heading', { name: 'Alert history' }).waitFor();
        await page.getByText(/Loading the alerts/).waitFor({ state: 'detached' });
        return alert.count();
      },
      (count) => count > 0,
      { timeoutMs: 20_000 },
    );
    expect(await alert.textContent()).toContain(requestId);
    await page.getByRole('button', { name: 'Deliveries' }).click();
    await page
      .getByRole('row', { name: /50% of Project app/ })
      .filter({ hasText: 'Delivered' })
      .waitFor();
    await budgetCard(page).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'budgets.png'), fullPage: true });
    await page.context().close();
  });

  it('refuses the next call (402) once a hard limit below its cost is set on the budget', async () => {
    const page = await operator();
    await openPage(page, gateway, 'budgets');
    await page.getByRole('button', { name: 'Change the Monthly budget of Project app' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Hard limit (USD, optional)').fill('0.000000001');
    expect(await accessibilityProblems(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save budget' }).click();
    await dialog.waitFor({ state: 'detached' });
    await budgetCard(page).filter({ hasText: 'hard limit $0.000000001' }).waitFor();
    const refused = await pollUntil(
      () => chat(gateway.apiKey),
      (response) => response.status === 402,
      { timeoutMs: 15_000 },
    );
    expect(await refused.json()).toMatchObject({ error: { type: 'insufficient_quota', code: 'budget_exceeded' } });
    await page.context().close();
  });

  it('offers an auditor and a viewer no top-up and no budget or webhook change', async () => {
    const auditor = await signIn(
      await newContext(browser),
      gateway.stack.controlUrl,
      await personalKey(gateway, 'auditor'),
    );
    await openPage(auditor, gateway, 'credits');
    await auditor.getByTestId('balance').waitFor();
    await auditor.getByTestId('plan').waitFor();
    await auditor.getByText('Credits are added by the instance operator').waitFor();
    expect(await auditor.getByRole('button', { name: /^(Top up|Grant|Refund|Adjustment|Change plan)$/ }).count()).toBe(
      0,
    );
    expect(await accessibilityProblems(auditor)).toEqual([]);
    await auditor.getByRole('link', { name: 'Budgets and alerts' }).click();
    await auditor.getByRole('progressbar', { name: /Project app/ }).waitFor();
    await auditor.getByRole('heading', { name: 'Alert history' }).waitFor();
    expect(
      await auditor.getByRole('button', { name: /New budget|^Change|^Delete|Add endpoint|Rotate secret/ }).count(),
    ).toBe(0);
    expect(await accessibilityProblems(auditor)).toEqual([]);
    await auditor.context().close();

    const viewer = await signIn(
      await newContext(browser),
      gateway.stack.controlUrl,
      await personalKey(gateway, 'viewer'),
    );
    await openPage(viewer, gateway, 'budgets');
    await viewer.getByRole('progressbar', { name: /Project app/ }).waitFor();
    expect(await viewer.getByRole('link', { name: 'Credits and billing' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /New budget|^Change|^Delete|Add endpoint/ }).count()).toBe(0);
    expect(await viewer.getByRole('heading', { name: 'Webhooks' }).count()).toBe(0);
    await viewer.context().close();
  });
});
