import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * Organisation statements end to end: an org of two projects gets a top-up before the period, then
 * in it a grant, a top-up, calls through the OpenAI SDK (one on an enterprise plan with a
 * discount), a refund and an adjustment; the statement (control → billing over the bus → the
 * ledger in Postgres or PGlite) shows each on its line, its closing balances are the projects'
 * balances, and its JSON and CSV agree. The catalog makes a call cost about 100,000 nano-USD.
 */

interface LineView {
  line: string;
  amountUsd: string;
  amountNanoUsd: string;
}
interface PartView {
  openingBalanceUsd: string;
  openingBalanceNanoUsd: string;
  lines: LineView[];
  closingBalanceUsd: string;
  closingBalanceNanoUsd: string;
}
interface StatementView {
  object: string;
  orgId: string;
  from: string;
  to: string;
  period: string | null;
  timezone: string;
  projects: Array<PartView & { projectId: string; projectName: string }>;
  totals: PartView;
}
interface UsageRow {
  requestId: string;
  listCostNanoUsd: string;
  discountNanoUsd: string;
  chargedNanoUsd: string;
}

const BOOTSTRAP = 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef';
/** nano-USD as the admin API's USD strings. */
const usd = (nano: bigint) => `${nano / 1_000_000_000n}.${String(nano % 1_000_000_000n).padStart(9, '0')}`;
const LINES = ['top_ups', 'grants', 'charges', 'discounts', 'refunds', 'adjustments', 'grant_expiries'];

/** A part's lines as nano-USD by name, every line present. */
const linesOf = (part: PartView) =>
  Object.fromEntries(part.lines.map(({ line, amountNanoUsd }) => [line, amountNanoUsd]));
const expectedLines = (values: Record<string, bigint>) =>
  Object.fromEntries(LINES.map((line) => [line, String(values[line] ?? 0n)]));

describe.each(MODES)('organisation statements (%s mode)', (mode) => {
  let gateway: Gateway;
  const raw = (path: string) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, { headers: { authorization: BOOTSTRAP } });
  const post = <T>(path: string, body: unknown) =>
    gateway.admin<T>('POST', path, body, { 'idempotency-key': randomUUID() });
  /** A project's ledger entries, newest first; those of one request once settled. */
  const ledger = (projectId: string, requestId?: string) =>
    pollUntil(
      () =>
        gateway
          .admin<{
            data: Array<{ kind: string; amountNanoUsd: string; createdAt: string }>;
          }>('GET', `/projects/${projectId}/ledger?limit=100${requestId ? `&requestId=${requestId}` : ''}`)
          .then((result) => result.data),
      (entries) => entries.length > 0,
      { timeoutMs: 20_000 },
    );
  const balance = async (projectId: string) =>
    (await gateway.admin<{ balanceNanoUsd: string }>('GET', `/projects/${projectId}/balance`)).balanceNanoUsd;
  /** One call through the OpenAI SDK; its request id once billing has charged it. */
  const call = async (apiKey: string, projectId: string) => {
    const client = new OpenAI({ apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({ model: 'small-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 15 })
      .withResponse();
    const requestId = response.headers.get('x-request-id')!;
    await ledger(projectId, requestId);
    return requestId;
  };

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'statements',
      // Every service on its own NATS credentials: control may call billing.statement.*, derived from the subjects map.
      authenticatedNats: mode === 'distributed',
      catalogFile: join(__dirname, 'budgets.catalog.yaml'),
    });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('states the period’s top-ups, grants, charges at list, discounts, refunds and adjustments, in JSON and CSV', async () => {
    const org = await gateway.admin<{ id: string }>('POST', '/orgs', { name: `statements-${Date.now()}` });
    const app = await gateway.admin<{ id: string }>('POST', `/orgs/${org.id}/projects`, { name: 'app' });
    const ops = await gateway.admin<{ id: string }>('POST', `/orgs/${org.id}/projects`, { name: 'ops' });
    const appKey = (await gateway.admin<{ key: string }>('POST', `/projects/${app.id}/keys`, { name: 'k' })).key;
    const opsKey = (await gateway.admin<{ key: string }>('POST', `/projects/${ops.id}/keys`, { name: 'k' })).key;

    // Before the period: app tops up 1.00. The period starts just after that transaction.
    const paid = 1_000_000_000n;
    await post(`/projects/${app.id}/credits`, { amountUsd: usd(paid) });
    const [topUp] = await ledger(app.id);
    const from = new Date(Date.parse(topUp!.createdAt) + 1).toISOString();

    const granted = 300_000n;
    await post(`/projects/${app.id}/grants`, { amountUsd: usd(granted), reason: 'trial credit' });
    const opsPaid = 500_000_000n;
    await post(`/projects/${ops.id}/credits`, { amountUsd: usd(opsPaid) });
    const appCall = await call(appKey, app.id); // payg, paid by the grant
    await gateway.admin('PUT', `/orgs/${org.id}/plan`, {
      plan: 'enterprise',
      settings: { tiers: [{ aboveUsd: '0', percent: 10 }] },
    });
    const opsCall = await call(opsKey, ops.id); // enterprise: 10 % off list
    const refunded = 10_000n;
    await post(`/projects/${ops.id}/refunds`, { requestId: opsCall, amountUsd: usd(refunded), reason: 'slow answer' });
    const adjusted = -10_000_000n;
    await post(`/projects/${app.id}/adjustments`, { amountUsd: `-${usd(-adjusted)}`, reason: 'duplicate top-up' });
    const to = new Date(Date.now() + 3_600_000).toISOString();

    const rows = await gateway.admin<{ data: UsageRow[] }>('GET', `/usage/calls?orgId=${org.id}&limit=100`);
    const row = (requestId: string) => rows.data.find((usage) => usage.requestId === requestId)!;
    const [appList, opsList, opsDiscount] = [
      BigInt(row(appCall).listCostNanoUsd),
      BigInt(row(opsCall).listCostNanoUsd),
      BigInt(row(opsCall).discountNanoUsd),
    ];
    expect(BigInt(row(appCall).discountNanoUsd)).toBe(0n);
    expect(opsDiscount).toBe((opsList * 1_000n) / 10_000n);
    expect(opsDiscount).toBeGreaterThan(0n);

    const query = new URLSearchParams({ from, to }).toString();
    const statement = await gateway.admin<StatementView>('GET', `/orgs/${org.id}/statement?${query}`);
    expect(statement).toMatchObject({ object: 'statement', orgId: org.id, from, to, period: null, timezone: 'UTC' });
    const [appPart, opsPart] = statement.projects;
    expect(appPart).toMatchObject({ projectId: app.id, projectName: 'app', openingBalanceNanoUsd: String(paid) });
    expect(linesOf(appPart!)).toEqual(expectedLines({ grants: granted, charges: -appList, adjustments: adjusted }));
    const appClosing = paid + granted - appList + adjusted;
    expect(appPart!.closingBalanceNanoUsd).toBe(String(appClosing));
    expect(opsPart).toMatchObject({ projectId: ops.id, projectName: 'ops', openingBalanceNanoUsd: '0' });
    expect(linesOf(opsPart!)).toEqual(
      expectedLines({ top_ups: opsPaid, charges: -opsList, discounts: opsDiscount, refunds: refunded }),
    );
    const opsClosing = opsPaid - opsList + opsDiscount + refunded;
    expect(opsPart!.closingBalanceNanoUsd).toBe(String(opsClosing));
    // The ledger's balances are the statement's closing ones.
    expect([await balance(app.id), await balance(ops.id)]).toEqual([String(appClosing), String(opsClosing)]);
    expect(statement.totals).toMatchObject({
      openingBalanceNanoUsd: String(paid),
      closingBalanceNanoUsd: String(appClosing + opsClosing),
      closingBalanceUsd: expect.stringMatching(/^1\.4\d+$/),
    });

    // The CSV: one row per project and line, then the totals, the same amounts as the JSON.
    const csv = await raw(`/orgs/${org.id}/statement?${query}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...cells] = (await csv.text())
      .trimEnd()
      .split('\n')
      .map((line) => line.split(','));
    expect(header).toEqual([
      'scope',
      'project_id',
      'project_name',
      'from',
      'to',
      'line',
      'amount_usd',
      'amount_nano_usd',
    ]);
    const fromJson = [
      ...statement.projects.map((part) => ['project', part.projectId, part.projectName, part] as const),
      ['total', '', '', statement.totals] as const,
    ].flatMap(([scope, id, name, part]) =>
      [
        ['opening_balance', part.openingBalanceUsd, part.openingBalanceNanoUsd],
        ...part.lines.map((line) => [line.line, line.amountUsd, line.amountNanoUsd]),
        ['closing_balance', part.closingBalanceUsd, part.closingBalanceNanoUsd],
      ].map((line) => [scope, id, name, from, to, ...line]),
    );
    expect(cells).toEqual(fromJson);

    // The calendar month holds the whole period's movements (and the earlier top-up, in this month too).
    const month = to.slice(0, 7) === from.slice(0, 7) ? from.slice(0, 7) : null;
    if (month !== null) {
      const monthly = await gateway.admin<StatementView>('GET', `/orgs/${org.id}/statement?period=${month}`);
      expect(monthly).toMatchObject({ period: month, from: `${month}-01T00:00:00.000Z` });
      expect(monthly.totals.openingBalanceNanoUsd).toBe('0');
      expect(monthly.totals.closingBalanceNanoUsd).toBe(String(appClosing + opsClosing));
    }
    if (mode === 'distributed') expect(gateway.stack.nats?.authenticated).toBe(true);
  });

  it('rejects bad periods and formats with 400s naming the parameter, an unknown org with 404', async () => {
    const cases: Array<[string, string]> = [
      ['', 'from'],
      ['from=2026-11-01T00:00:00Z', 'to'],
      ['from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'from'],
      ['from=yesterday&to=2026-11-01T00:00:00Z', 'from'],
      ['period=2026-13', 'period'],
      ['period=2026-11&from=2026-11-01T00:00:00Z', 'period'],
      ['period=2026-11&timezone=Mars/Olympus', 'timezone'],
      ['period=2026-11&format=xml', 'format'],
      ['period=2026-11&limit=5', ''],
    ];
    for (const [query, param] of cases) {
      const response = await raw(`/orgs/${gateway.orgId}/statement?${query}`);
      expect([query, response.status]).toEqual([query, 400]);
      const body = (await response.json()) as { error: { type: string; param: string | null } };
      expect(body.error.type).toBe('invalid_request_error');
      if (param !== '') expect([query, body.error.param]).toEqual([query, param]);
    }
    for (const orgId of [randomUUID(), 'not-an-org']) {
      const response = await raw(`/orgs/${orgId}/statement?period=2026-11`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { param: 'orgId' } });
    }
  });
});
