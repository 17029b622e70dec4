import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * Plans end to end: set through the admin API (control → billing → Postgres), a free plan's models
 * and daily quota enforced when the router reserves a call (billing's Redis scripts or memory
 * store), enterprise discounts applied when the usage stream is settled, in both run modes. The
 * budgets catalog makes a call cost about 100,000 nano-USD at list. Each test has an org of its own.
 */

interface PlanView {
  plan: string;
  settings: Record<string, unknown>;
}
interface ChangeView extends PlanView {
  id: string;
  effectiveFrom: string;
  createdAt: string;
  changedBy: string | null;
  previous: PlanView;
}
interface QuotaView {
  unit: string;
  limit: number;
  used: string;
  held: string;
  periodStart: string;
  periodEnd: string;
}
interface PlansView {
  orgId: string;
  current: PlanView & { since: string | null; changeId: string | null; quota?: QuotaView };
  scheduled: ChangeView[];
  history: ChangeView[];
  change?: ChangeView;
}

const PROMPT = 'Say hello.';
const DAY_MS = 24 * 3_600_000;

describe.each(MODES)('plans (%s mode)', (mode) => {
  let gateway: Gateway;
  let clockDir: string;
  const clockFile = () => join(clockDir, 'billing-clock-offset-ms');
  const setClock = (offsetMs: number) => writeFileSync(clockFile(), String(offsetMs));

  const raw = (method: string, path: string, body?: unknown) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** An org of the test's own with a project and a key; the project funded unless `funded` is false. */
  const newOrg = async (name: string, { funded = true } = {}) => {
    const org = await gateway.admin<{ id: string }>('POST', '/orgs', { name: `${name}-${Date.now()}` });
    const project = await gateway.admin<{ id: string }>('POST', `/orgs/${org.id}/projects`, { name: 'app' });
    const key = await gateway.admin<{ key: string }>('POST', `/projects/${project.id}/keys`, { name: 'k' });
    if (funded)
      await gateway.admin(
        'POST',
        `/projects/${project.id}/credits`,
        { amountUsd: '1.00' },
        { 'idempotency-key': `plans-${org.id}` },
      );
    /** The request's ledger entries on the project's account, once settled. */
    const entries = (requestId: string) =>
      pollUntil(
        () =>
          gateway
            .admin<{
              data: Array<{ kind: string; amountNanoUsd: string }>;
            }>('GET', `/projects/${project.id}/ledger?requestId=${requestId}`)
            .then((result) => result.data),
        (found) => found.length > 0,
        { timeoutMs: 20_000 },
      );
    /** What the customer was charged for a request (nano-USD, positive). */
    const charged = async (requestId: string) =>
      (await entries(requestId)).reduce((sum, entry) => sum - BigInt(entry.amountNanoUsd), 0n);
    return { orgId: org.id, key: key.key, entries, charged };
  };
  const setPlan = (orgId: string, body: Record<string, unknown>) =>
    gateway.admin<PlansView>('PUT', `/orgs/${orgId}/plan`, body);
  const plans = (orgId: string) => gateway.admin<PlansView>('GET', `/orgs/${orgId}/plan`);
  const chat = (key: string, model = 'small-model', maxTokens = 15) =>
    fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: PROMPT }], max_tokens: maxTokens }),
    });
  /** A successful call's request id. */
  const call = async (key: string) => {
    const response = await chat(key);
    expect(response.status).toBe(200);
    await response.json();
    return response.headers.get('x-request-id')!;
  };

  beforeAll(async () => {
    clockDir = mkdtempSync(join(tmpdir(), 'polymux-plans-clock-'));
    setClock(0);
    gateway = await startGateway({
      mode,
      label: 'plans',
      catalogFile: join(__dirname, 'budgets.catalog.yaml'),
      env: { POLYMUX_TEST_CLOCK_FILE: clockFile() },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    rmSync(clockDir, { recursive: true, force: true });
  });

  it('answers payg by default and validates plan changes with errors that name the field', async () => {
    const { orgId } = await newOrg('validate');
    expect(await plans(orgId)).toMatchObject({
      orgId,
      current: { plan: 'payg', since: null, changeId: null },
      scheduled: [],
      history: [],
    });
    const free = { allowedModels: ['small-model'], dailyQuota: { unit: 'calls', limit: 2 } };
    const problems: Array<[Record<string, unknown>, string | null]> = [
      [{ plan: 'gold' }, 'plan'],
      [{ plan: 'free' }, 'settings'],
      [{ plan: 'free', settings: { ...free, allowedModels: [] } }, 'settings.allowedModels'],
      [{ plan: 'free', settings: { ...free, dailyQuota: { unit: 'bytes', limit: 2 } } }, 'settings.dailyQuota.unit'],
      [{ plan: 'free', settings: { ...free, timezone: 'Mars/Olympus_Mons' } }, 'settings.timezone'],
      [{ plan: 'payg', effectiveFrom: 'tomorrow' }, 'effectiveFrom'],
      [{ plan: 'payg', effectiveFrom: '2020-01-01T00:00:00Z' }, 'effectiveFrom'],
      [{ plan: 'enterprise', settings: { tiers: [{ aboveUsd: '0', percent: 101 }] } }, 'settings.tiers.0.percent'],
      [{ plan: 'enterprise', settings: { tiers: [{ aboveUsd: '0', percent: 5.555 }] } }, 'settings.tiers.0.percent'],
      [{ plan: 'enterprise', settings: { rates: [{ model: 'a', provider: 'b', percent: 5 }] } }, 'settings.rates.0'],
      [{ plan: 'enterprise', settings: { rates: [{ model: 'a', inputPerMTokUsd: '1' }] } }, 'settings.rates.0'],
      [
        {
          plan: 'enterprise',
          settings: {
            tiers: [
              { aboveUsd: '10', percent: 5 },
              { aboveUsd: '1', percent: 10 },
            ],
          },
        },
        'settings.tiers',
      ],
      [{ plan: 'payg', colour: 'red' }, null],
    ];
    for (const [body, param] of problems) {
      const response = await raw('PUT', `/orgs/${orgId}/plan`, body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      const { error } = (await response.json()) as { error: { type: string; param: string | null } };
      expect(error.type).toBe('invalid_request_error');
      if (param) expect({ body, param: error.param }).toEqual({ body, param });
    }
    const missing = await raw('PUT', '/orgs/00000000-0000-4000-8000-000000000000/plan', { plan: 'payg' });
    expect(missing.status).toBe(404);
    expect((await raw('GET', '/orgs/not-an-id/plan')).status).toBe(404);
    expect((await plans(orgId)).history).toEqual([]);
  });

  it("refuses a free plan's disallowed model and its call past the daily quota, as errors the SDK does not retry; funds free calls as discount", async () => {
    // No card: the project has no credits at all.
    const org = await newOrg('free', { funded: false });
    expect((await chat(org.key)).status).toBe(402);
    const set = await setPlan(org.orgId, {
      plan: 'free',
      settings: { allowedModels: ['small-model'], dailyQuota: { unit: 'calls', limit: 2 } },
    });
    expect(set.current).toMatchObject({ plan: 'free', settings: { timezone: 'UTC' }, changeId: set.change!.id });

    const disallowed = await chat(org.key, 'strong-model');
    expect(disallowed.status).toBe(403);
    expect(await disallowed.json()).toMatchObject({
      error: { code: 'model_not_allowed', message: expect.stringContaining('free plan') },
    });
    const auto = await chat(org.key, 'auto');
    expect(auto.status).toBe(403);
    await auto.json();

    const first = await call(org.key);
    const second = await call(org.key);
    // The free call is charged nothing: its list cost is in the ledger as discount, not as the customer's.
    expect(await org.entries(first)).toEqual([expect.objectContaining({ kind: 'charge', amountNanoUsd: '0' })]);
    expect(await org.charged(second)).toBe(0n);

    let requests = 0;
    const openai = new OpenAI({
      apiKey: org.key,
      baseURL: `${gateway.stack.ingressUrl}/v1`,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    });
    const refused = await openai.chat.completions
      .create({ model: 'small-model', messages: [{ role: 'user', content: PROMPT }], max_tokens: 15 })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused).toMatchObject({ status: 402, code: 'plan_quota_exceeded', type: 'insufficient_quota' });
    expect((refused as Error).message).toMatch(/daily quota of 2 calls would be exceeded/);
    expect(requests).toBe(1);
    const anthropic = await fetch(`${gateway.stack.ingressUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': org.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'small-model', max_tokens: 15, messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(anthropic.status).toBe(402);
    expect(await anthropic.json()).toMatchObject({
      type: 'error',
      error: { type: 'billing_error', message: expect.stringContaining('daily quota') },
    });

    try {
      // Tomorrow (UTC) the quota starts over.
      setClock(DAY_MS);
      await call(org.key);
    } finally {
      setClock(0);
    }
  });

  it("holds a token quota's call bound before the call, and counts what the call used", async () => {
    const org = await newOrg('tokens', { funded: false });
    await setPlan(org.orgId, {
      plan: 'free',
      settings: { allowedModels: ['small-model'], dailyQuota: { unit: 'tokens', limit: 2_000 } },
    });
    // max_tokens 3,000 alone passes the quota: refused before the call, whatever it would have used.
    const big = await chat(org.key, 'small-model', 3_000);
    expect(big.status).toBe(402);
    expect(await big.json()).toMatchObject({ error: { code: 'plan_quota_exceeded' } });
    // A call bounded by about 25 tokens passes; once settled, the quota counts what it used, not its bound.
    let used = 0;
    for (let index = 0; index < 3; index++) {
      const response = await chat(org.key);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      used += body.usage.prompt_tokens + body.usage.completion_tokens;
    }
    const settled = await pollUntil(
      () => plans(org.orgId),
      (view) => view.current.quota?.held === '0' && view.current.quota.used !== '0',
      { timeoutMs: 20_000 },
    );
    expect(settled.current.quota).toMatchObject({ unit: 'tokens', limit: 2_000, used: String(used), held: '0' });
    const quota = settled.current.quota!;
    expect(Date.parse(quota.periodEnd) - Date.parse(quota.periodStart)).toBe(DAY_MS);
    // 2,000 - used tokens remain: a call whose output alone may take more is refused, a small one passes.
    expect((await chat(org.key, 'small-model', 2_000 - used + 1)).status).toBe(402);
    await call(org.key);
  });

  it('discounts an enterprise call at settlement by marginal volume tiers and contract rates, visible in the ledger charge', async () => {
    const org = await newOrg('enterprise');
    const listCost = await org.charged(await call(org.key)); // payg: the list cost
    expect(listCost).toBeGreaterThan(50_000n);
    await setPlan(org.orgId, {
      plan: 'enterprise',
      settings: {
        tiers: [
          { aboveUsd: '0', percent: 0 },
          { aboveUsd: '0.00005', percent: 10 },
        ],
      },
    });
    // The month's enterprise list spend starts at 0: only the part above 50,000 nano-USD gets 10 %.
    const crossing = await org.charged(await call(org.key));
    expect(crossing).toBe(listCost - ((listCost - 50_000n) * 1_000n) / 10_000n);
    // Now wholly above the boundary.
    const above = await org.charged(await call(org.key));
    expect(above).toBe(listCost - (listCost * 1_000n) / 10_000n);

    await setPlan(org.orgId, {
      plan: 'enterprise',
      settings: { tiers: [{ aboveUsd: '0', percent: 10 }], rates: [{ model: 'small-model', percent: 25 }] },
    });
    const ratedId = await call(org.key);
    const rated = await org.charged(ratedId);
    expect(rated).toBe(listCost - (listCost * 2_500n) / 10_000n);
    // The call's usage row shows the list cost, the plan's discount and the charge.
    const rows = await gateway.admin<{
      data: Array<{ requestId: string; listCostNanoUsd: string; discountNanoUsd: string; chargedNanoUsd: string }>;
    }>('GET', `/usage/calls?orgId=${org.orgId}&limit=1000`);
    expect(rows.data.find((row) => row.requestId === ratedId)).toMatchObject({
      listCostNanoUsd: String(listCost),
      discountNanoUsd: String(listCost - rated),
      chargedNanoUsd: String(rated),
    });
  });

  it('applies a scheduled change from its time, not before, and audits every change with before and after', async () => {
    const org = await newOrg('scheduled');
    const listCost = await org.charged(await call(org.key));
    const effectiveFrom = new Date(Date.now() + 4_000).toISOString();
    const scheduled = await setPlan(org.orgId, {
      plan: 'enterprise',
      effectiveFrom,
      settings: { tiers: [{ aboveUsd: '0', percent: 20 }] },
    });
    expect(scheduled.current).toMatchObject({ plan: 'payg', since: null });
    expect(scheduled.scheduled).toEqual([
      expect.objectContaining({
        plan: 'enterprise',
        effectiveFrom,
        previous: { plan: 'payg', settings: {} },
        settings: { timezone: 'UTC', tiers: [{ aboveUsd: '0', percent: 20 }], rates: [] },
      }),
    ]);
    // Before its time: still list.
    expect(await org.charged(await call(org.key))).toBe(listCost);

    const now = await pollUntil(
      () => plans(org.orgId),
      (view) => view.current.plan === 'enterprise',
      { timeoutMs: 15_000 },
    );
    expect(now).toMatchObject({ current: { since: effectiveFrom }, scheduled: [] });
    expect(await org.charged(await call(org.key))).toBe(listCost - (listCost * 2_000n) / 10_000n);

    const back = await setPlan(org.orgId, { plan: 'payg' });
    expect(back.change).toMatchObject({ plan: 'payg', previous: { plan: 'enterprise' } });
    expect(back.history.map((change) => [change.plan, change.previous.plan])).toEqual([
      ['payg', 'enterprise'],
      ['enterprise', 'payg'],
    ]);
    expect(await org.charged(await call(org.key))).toBe(listCost);

    const audited = await pollUntil(
      async () =>
        (
          await gateway.admin<{
            data: Array<{
              action: string;
              target: string;
              actorKeyId: string | null;
              metadata: Record<string, unknown>;
            }>;
          }>('GET', '/audit?limit=1000')
        ).data.filter((record) => record.action === 'plan.change' && record.target === `org:${org.orgId}`),
      (found) => found.length === 2,
      { timeoutMs: 15_000 },
    );
    expect(audited.map((record) => record.metadata)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ plan: 'enterprise', previousPlan: 'payg', effectiveFrom }),
        expect.objectContaining({ plan: 'payg', previousPlan: 'enterprise', changeId: back.change!.id }),
      ]),
    );
  });
});
