import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { SCREENSHOTS, accessibilityProblems, launchBrowser, newContext, signIn } from './support/console';
import type { Gateway } from './support/gateway';
import { startGateway } from './support/gateway';

jest.setTimeout(240_000);

/*
 * The console's Usage and costs and Models pages in headless Chromium against the embedded gateway,
 * on the real path (HTTP → ingress → router → executor → simulator; usage → billing → Postgres):
 * calls made with an API key on three models appear in the usage page's totals, tables and CSV;
 * the saving from routing matches the reference model's prices applied to the usage rows; the
 * Models page shows the prices the ledger charged (checked against each charge in nano-USD) and a
 * failing deployment's open breaker. axe-core on each page; screenshots into docs/console/.
 */

interface UsageRow {
  requestId: string;
  model: string;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  chargedNanoUsd: string;
  listCostNanoUsd: string;
}

interface UsageTotal {
  calls: number;
  chargedNanoUsd: string;
  listCostNanoUsd: string;
  referenceCostNanoUsd: string;
  savingNanoUsd: string;
}

/** A USD decimal string (`$0.100000007`) as integer nano-USD, without floating point. */
const nanoOf = (usd: string): bigint => {
  const [whole, fraction = ''] = usd.replace('$', '').split('.');
  return BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
};

/** A call's cost at per-million-token prices, rounded up to a whole nano-USD (as billing charges it). */
const costOf = (row: Pick<UsageRow, 'inputTokens' | 'outputTokens'>, input: bigint, output: bigint): bigint => {
  const tokens = BigInt(row.inputTokens) * input + BigInt(row.outputTokens) * output;
  return (tokens + 999_999n) / 1_000_000n;
};

describe('console: usage and costs, models (embedded mode)', () => {
  let gateway: Gateway;
  let browser: Browser;
  let context: BrowserContext;
  let url: string;
  const calls: Array<{ model: string; requestId: string }> = [];

  const chat = async (model: string) => {
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: `Say hello to ${model}.` }] }),
    });
    expect(response.status).toBe(200);
    calls.push({ model, requestId: response.headers.get('x-request-id')! });
  };
  /** What the ledger charged for a call, nano-USD. */
  const charged = async (requestId: string) =>
    (await gateway.charges(requestId))
      .filter((entry) => entry.kind === 'charge' || entry.kind === 'overrun')
      .reduce((sum, entry) => sum - BigInt(entry.amountNanoUsd), 0n);
  const open = async (page: Page, path: string) => {
    await page.goto(`${url}/console/${path}?org=${gateway.orgId}&project=${gateway.projectId}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gateway = await startGateway({
      mode: 'embedded',
      label: 'consoleusage',
      catalogFile: join(__dirname, 'console-usage.catalog.yaml'),
      // The failing deployment's breaker opens at its second failure and stays open through the test.
      env: { POLYMUX_BREAKER_FAILURES: '2', POLYMUX_BREAKER_OPEN_MS: '600000' },
    });
    url = gateway.stack.controlUrl;
    browser = await launchBrowser();
    context = await newContext(browser);
    for (const model of ['gpt-4.1-mini', 'gpt-4.1-mini', 'gpt-4.1-nano', 'claude-sonnet-4-5']) await chat(model);
    for (const call of calls) await gateway.charges(call.requestId);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await gateway?.stop();
  });

  it("shows the calls' spend, tokens and the saving from routing, and exports them as CSV", async () => {
    const usage = await gateway.admin<{ data: UsageRow[] }>('GET', `/usage/calls?orgId=${gateway.orgId}`);
    expect(usage.data.map((row) => row.requestId).sort()).toEqual(calls.map((call) => call.requestId).sort());
    // The reference is auto's strongest (claude-sonnet-4-5, frontier: $3 and $15 per million tokens).
    const report = await gateway.admin<{ data: UsageTotal[]; reference: { model: string } }>(
      'GET',
      `/usage?orgId=${gateway.orgId}&savings=true`,
    );
    expect(report.reference.model).toBe('claude-sonnet-4-5');
    const [total] = report.data;
    const ledger = await Promise.all(calls.map((call) => charged(call.requestId)));
    expect(BigInt(total!.chargedNanoUsd)).toBe(ledger.reduce((sum, amount) => sum + amount, 0n));
    for (const row of usage.data) expect(row.cachedInputTokens + row.cacheWriteTokens + row.reasoningTokens).toBe(0);
    const reference = usage.data.reduce((sum, row) => sum + costOf(row, 3_000_000_000n, 15_000_000_000n), 0n);
    expect(total).toMatchObject({
      calls: 4,
      referenceCostNanoUsd: reference.toString(),
      savingNanoUsd: (reference - BigInt(total!.listCostNanoUsd)).toString(),
    });
    expect(BigInt(total!.savingNanoUsd)).toBeGreaterThan(0n);

    const page = await signIn(context, url, gateway.adminKey);
    await open(page, 'usage');
    await page.getByTestId('total-charged').waitFor();
    expect(await page.getByTestId('saving-explained').textContent()).toContain('claude-sonnet-4-5');
    const byModel = page.getByRole('region', { name: 'Spend by model' });
    for (const model of ['gpt-4.1-mini', 'gpt-4.1-nano', 'claude-sonnet-4-5'])
      await byModel.getByRole('rowheader', { name: model }).waitFor();
    expect(await byModel.locator('tr', { hasText: 'gpt-4.1-mini' }).locator('td').first().textContent()).toBe('2');
    for (const call of calls) await page.locator(`tr[data-request-id="${call.requestId}"]`).waitFor();
    await page.getByText('Show the chart as a table').click();
    await page
      .getByRole('region', { name: 'Spend over time' })
      .getByRole('columnheader', { name: 'gpt-4.1-nano' })
      .waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'usage.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('usage-7d-model.csv');
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^bucket,model,calls,input_tokens,/);
    const callsOf = (model: string) =>
      csv
        .slice(1)
        .filter((line) => line.split(',')[1] === model)
        .reduce((sum, line) => sum + Number(line.split(',')[2]), 0);
    expect([callsOf('gpt-4.1-mini'), callsOf('gpt-4.1-nano'), callsOf('claude-sonnet-4-5')]).toEqual([2, 1, 1]);
    await page.close();
  });

  it('shows the prices the ledger charged, and a failing deployment’s open breaker', async () => {
    const page = await signIn(context, url, gateway.adminKey);
    await open(page, 'models');
    await page.getByRole('rowheader', { name: /gpt-4\.1-nano/ }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'models.png'), fullPage: true });

    await page.getByLabel('Search').fill('nano');
    expect(await page.getByRole('rowheader').count()).toBe(1);
    await page.getByRole('button', { name: 'gpt-4.1-nano' }).click();
    const prices = page.getByRole('region', { name: 'Prices of openai/gpt-4.1-nano' });
    const base = prices.locator('tr', { hasText: 'Base' });
    const input = nanoOf((await base.locator('[data-price="input"]').textContent())!);
    const output = nanoOf((await base.locator('[data-price="output"]').textContent())!);
    expect([input, output]).toEqual([100_000_007n, 400_000_011n]);
    // The page's prices applied to the call's tokens are what the ledger charged for it.
    const nano = calls.find((call) => call.model === 'gpt-4.1-nano')!;
    const usage = await gateway.admin<{ data: UsageRow[] }>(
      'GET',
      `/usage/calls?orgId=${gateway.orgId}&model=gpt-4.1-nano`,
    );
    expect(costOf(usage.data[0]!, input, output)).toBe(await charged(nano.requestId));
    expect(await accessibilityProblems(page)).toEqual([]);

    // Two calls on gpt-4.1-mini each failed on its first deployment first: its breaker is open.
    await pollUntil(
      async () => {
        await open(page, 'models');
        await page.getByRole('button', { name: 'gpt-4.1-mini' }).click();
        return page.getByRole('region', { name: 'Deployment broken/gpt-4.1-mini' }).textContent();
      },
      (text) => !!text?.includes('BreakerOpen'),
      { timeoutMs: 15_000 },
    );
    const healthy = page.getByRole('region', { name: 'Deployment openai/gpt-4.1-mini' });
    expect(await healthy.textContent()).toContain('BreakerClosed');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'models-detail.png'), fullPage: true });
    await page.close();
  });
});
