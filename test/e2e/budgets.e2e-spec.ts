import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Anthropic from '@anthropic-ai/sdk';
import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';
import { countingFetch } from './support/counting-fetch';

jest.setTimeout(180_000);

/*
 * Budgets end to end: managed through the admin API (control → billing → Postgres), enforced when
 * the router reserves a call's maximum cost (billing's Redis scripts or memory store), settled from
 * the usage stream, in both run modes. The catalog makes a call cost about 100,000 nano-USD and hold
 * about 150,000 with max_tokens 15. Billing's clock is moved through POLYMUX_TEST_CLOCK_FILE.
 */

interface BudgetView {
  id: string;
  scope: string;
  scopeId: string;
  period: string;
  timezone: string;
  amountUsd: string;
  hardLimitUsd: string | null;
  thresholds: number[];
  current: {
    periodStart: string;
    periodEnd: string;
    spentUsd: string;
    heldUsd: string;
    spentNanoUsd: string;
    heldNanoUsd: string;
    usedPercent: number;
    alertedPercent: number;
  };
}

const PROMPT = 'Say hello.';

describe.each(MODES)('budgets (%s mode)', (mode) => {
  let gateway: Gateway;
  let clockDir: string;
  const clockFile = () => join(clockDir, 'billing-clock-offset-ms');
  /** Moves billing's clock `offsetMs` from the system clock. */
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
  const newKey = () =>
    gateway.admin<{ id: string; key: string }>('POST', `/projects/${gateway.projectId}/keys`, { name: 'k' });
  const createBudget = (body: Record<string, unknown>) => gateway.admin<BudgetView>('POST', '/budgets', body);
  const budget = (id: string) => gateway.admin<BudgetView>('GET', `/budgets/${id}`);
  /** Waits until billing settled what the budget holds into its spend. */
  const settledSpend = (id: string, atLeastNano: bigint) =>
    pollUntil(
      () => budget(id),
      (view) => view.current.heldNanoUsd === '0' && BigInt(view.current.spentNanoUsd) >= atLeastNano,
      { timeoutMs: 20_000 },
    );
  /** A fetch that counts the requests an SDK makes, to show it does not retry. */
  const chat = (key: string, maxTokens = 15) =>
    fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'small-model',
        messages: [{ role: 'user', content: PROMPT }],
        max_tokens: maxTokens,
      }),
    });

  beforeAll(async () => {
    clockDir = mkdtempSync(join(tmpdir(), 'polymux-budgets-clock-'));
    setClock(0);
    gateway = await startGateway({
      mode,
      label: 'budgets',
      catalogFile: join(__dirname, 'budgets.catalog.yaml'),
      env: { POLYMUX_TEST_CLOCK_FILE: clockFile() },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    rmSync(clockDir, { recursive: true, force: true });
  });

  it('validates budgets through the admin API, with errors that name the field, in OpenAI format', async () => {
    const key = await newKey();
    const base = { scope: 'key', scopeId: key.id, period: 'daily', amountUsd: '1.00' };
    const problems: Array<[Record<string, unknown>, number, string | null]> = [
      [{ ...base, period: 'hourly' }, 400, 'period'],
      [{ ...base, timezone: 'Mars/Olympus_Mons' }, 400, 'timezone'],
      [{ ...base, amountUsd: '0' }, 400, 'amountUsd'],
      [{ ...base, amountUsd: '-1' }, 400, 'amountUsd'],
      [{ ...base, thresholds: [50, 50] }, 400, 'thresholds'],
      [{ ...base, thresholds: [0] }, 400, 'thresholds.0'],
      [{ ...base, colour: 'red' }, 400, null],
      [{ ...base, scope: 'galaxy' }, 400, 'scope'],
      [{ ...base, scopeId: '00000000-0000-4000-8000-000000000000' }, 404, null],
    ];
    for (const [body, status, param] of problems) {
      const response = await raw('POST', '/budgets', body);
      expect({ body, status: response.status }).toEqual({ body, status });
      const error = ((await response.json()) as { error: { type: string; param: string | null; message: string } })
        .error;
      expect(error.type).toBe(status === 400 ? 'invalid_request_error' : 'not_found_error');
      if (param) expect(error.param).toBe(param);
    }
    const created = await createBudget({ ...base, hardLimitUsd: '2.50', timezone: 'europe/berlin' });
    expect(created).toMatchObject({
      scope: 'key',
      scopeId: key.id,
      period: 'daily',
      timezone: 'Europe/Berlin',
      amountUsd: '1',
      hardLimitUsd: '2.5',
      thresholds: [50, 80, 100],
      current: { spentUsd: '0', heldUsd: '0', usedPercent: 0, alertedPercent: 0 },
    });
    const duplicate = await raw('POST', '/budgets', base);
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toMatchObject({
      error: { message: expect.stringContaining('already has a daily budget') },
    });
    expect((await raw('PATCH', `/budgets/${created.id}`, {})).status).toBe(400);
    expect(
      await gateway.admin('PATCH', `/budgets/${created.id}`, { hardLimitUsd: null, thresholds: [90] }),
    ).toMatchObject({
      hardLimitUsd: null,
      thresholds: [90],
    });
    expect((await raw('GET', '/budgets/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await raw('GET', '/budgets?orgId=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const listed = await gateway.admin<{ data: BudgetView[] }>(
      'GET',
      `/budgets?orgId=${gateway.orgId}&scope=key&scopeId=${key.id}`,
    );
    expect(listed.data.map((view) => view.id)).toEqual([created.id]);
    expect(await gateway.admin('DELETE', `/budgets/${created.id}`)).toMatchObject({ id: created.id });
    expect((await raw('GET', `/budgets/${created.id}`)).status).toBe(404);
    // A hard limit of zero freezes the scope: every call is refused before it starts.
    await createBudget({ ...base, hardLimitUsd: '0' });
    const frozen = await chat(key.key);
    expect(frozen.status).toBe(402);
    expect(await frozen.json()).toMatchObject({ error: { code: 'budget_exceeded' } });
  });

  it("limits a user's personal keys together by a user budget, and leaves the project's service keys alone", async () => {
    const email = `dev-${mode}@example.com`;
    const user = await gateway.admin<{ id: string; email: string }>('POST', `/orgs/${gateway.orgId}/users`, {
      email,
      name: 'Dev One',
    });
    expect(user).toMatchObject({ email, orgId: gateway.orgId });
    // Users are validated in the caller's format: a bad email, a taken one (any case), an unknown org.
    expect((await raw('POST', `/orgs/${gateway.orgId}/users`, { email: 'not-an-email' })).status).toBe(400);
    const taken = await raw('POST', `/orgs/${gateway.orgId}/users`, { email: email.toUpperCase() });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: { param: 'email' } });
    expect((await raw('POST', '/orgs/00000000-0000-4000-8000-000000000000/users', { email: 'a@b.co' })).status).toBe(
      404,
    );
    const listed = await gateway.admin<{ data: Array<{ id: string }> }>('GET', `/orgs/${gateway.orgId}/users`);
    expect(listed.data.map((entry) => entry.id)).toContain(user.id);
    expect(await gateway.admin('GET', `/users/${user.id}`)).toMatchObject({ id: user.id, email });

    const personal = (name: string) =>
      gateway.admin<{ id: string; key: string; userId: string }>('POST', `/projects/${gateway.projectId}/keys`, {
        name,
        userId: user.id,
      });
    const [laptop, ci] = [await personal('laptop'), await personal('ci')];
    expect(laptop.userId).toBe(user.id);
    const unknownUser = await raw('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'x',
      userId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownUser.status).toBe(404);
    expect(await unknownUser.json()).toMatchObject({ error: { param: 'userId' } });
    expect(
      (await raw('POST', '/budgets', { scope: 'user', scopeId: laptop.id, period: 'daily', amountUsd: '1' })).status,
    ).toBe(404);

    // About 100,000 a call, 150,000 held: the first call of either key fits, the next of either does not.
    const limited = await createBudget({
      scope: 'user',
      scopeId: user.id,
      period: 'daily',
      amountUsd: '0.0002',
      hardLimitUsd: '0.0002',
    });
    expect(limited).toMatchObject({ scope: 'user', scopeId: user.id });
    const first = await chat(laptop.key);
    expect(first.status).toBe(200);
    await first.json();
    await settledSpend(limited.id, 1n);
    const second = await chat(ci.key);
    expect(second.status).toBe(402);
    expect(await second.json()).toMatchObject({ error: { code: 'budget_exceeded' } });
    expect((await chat(laptop.key)).status).toBe(402);
    const service = await chat((await newKey()).key);
    expect(service.status).toBe(200);
    await service.json();
  });

  it('refuses a call past a hard budget before it starts, as a 402 in OpenAI and Anthropic format that the SDKs do not retry', async () => {
    const key = await newKey();
    const limited = await createBudget({
      scope: 'key',
      scopeId: key.id,
      period: 'daily',
      amountUsd: '0.0002',
      hardLimitUsd: '0.0002',
    });
    const first = await chat(key.key);
    expect(first.status).toBe(200);
    await first.json();
    const spent = BigInt((await settledSpend(limited.id, 1n)).current.spentNanoUsd);
    const [charge] = await gateway.charges(first.headers.get('x-request-id')!);
    expect(spent).toBe(-BigInt(charge!.amountNanoUsd));

    // About 100,000 spent: a second call that may cost about 150,000 would pass the 200,000 limit.
    const openAiFetch = countingFetch();
    const openai = new OpenAI({ apiKey: key.key, baseURL: `${gateway.stack.ingressUrl}/v1`, fetch: openAiFetch.fetch });
    const refused = await openai.chat.completions
      .create({ model: 'small-model', messages: [{ role: 'user', content: PROMPT }], max_tokens: 15 })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused).toMatchObject({ status: 402, code: 'budget_exceeded', type: 'insufficient_quota' });
    expect((refused as Error).message).toMatch(/daily budget of key .* hard limit is spent or held/);
    expect(openAiFetch.counter.requests).toBe(1);

    const anthropicFetch = countingFetch();
    const anthropic = new Anthropic({
      apiKey: key.key,
      baseURL: gateway.stack.ingressUrl,
      fetch: anthropicFetch.fetch,
    });
    const refusedToo = await anthropic.messages
      .create({ model: 'small-model', max_tokens: 15, messages: [{ role: 'user', content: PROMPT }] })
      .catch((caught: unknown) => caught);
    expect(refusedToo).toBeInstanceOf(Anthropic.APIError);
    expect(refusedToo).toMatchObject({ status: 402, type: 'billing_error' });
    expect((refusedToo as { error: unknown }).error).toMatchObject({
      type: 'error',
      error: { type: 'billing_error', message: expect.stringMatching(/hard limit/) },
    });
    expect(anthropicFetch.counter.requests).toBe(1);

    // Refused calls hold nothing and spend nothing; a call small enough to fit still passes.
    expect((await budget(limited.id)).current).toMatchObject({ heldNanoUsd: '0', spentNanoUsd: spent.toString() });
    const small = await chat(key.key, 5);
    expect(small.status).toBe(200);
    await small.json();
  });

  it('starts a new period fresh at midnight in the budget’s zone, by billing’s clock', async () => {
    const key = await newKey();
    const daily = await createBudget({
      scope: 'key',
      scopeId: key.id,
      period: 'daily',
      timezone: 'Asia/Tokyo',
      amountUsd: '0.0002',
      hardLimitUsd: '0.0002',
    });
    const first = await chat(key.key);
    expect(first.status).toBe(200);
    await first.json();
    const before = await settledSpend(daily.id, 1n);
    expect((await chat(key.key)).status).toBe(402);
    try {
      // Just past the period's end: tomorrow in Tokyo.
      setClock(Date.parse(before.current.periodEnd) - Date.now() + 1_000);
      const after = await budget(daily.id);
      expect(after.current).toMatchObject({
        periodStart: before.current.periodEnd,
        spentNanoUsd: '0',
        heldNanoUsd: '0',
      });
      expect(Date.parse(after.current.periodEnd) - Date.parse(after.current.periodStart)).toBe(24 * 3_600_000);
      const next = await chat(key.key);
      expect(next.status).toBe(200);
      await next.json();
      expect((await settledSpend(daily.id, 1n)).current.periodStart).toBe(before.current.periodEnd);
    } finally {
      setClock(0);
    }
  });

  it('never lets 100 concurrent calls spend past a hard budget', async () => {
    const key = await newKey();
    const limited = await createBudget({
      scope: 'key',
      scopeId: key.id,
      period: 'monthly',
      amountUsd: '0.001',
      hardLimitUsd: '0.001',
    });
    const responses = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const response = await chat(key.key);
        return {
          status: response.status,
          requestId: response.headers.get('x-request-id')!,
          body: await response.json(),
        };
      }),
    );
    const answered = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status !== 200);
    expect(answered.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused)
      expect(response).toMatchObject({ status: 402, body: { error: { code: 'budget_exceeded' } } });
    const [charge] = await gateway.charges(answered[0]!.requestId);
    const cost = -BigInt(charge!.amountNanoUsd);
    const settled = await settledSpend(limited.id, BigInt(answered.length) * cost);
    expect(BigInt(settled.current.spentNanoUsd)).toBe(BigInt(answered.length) * cost);
    expect(BigInt(settled.current.spentNanoUsd)).toBeLessThanOrEqual(1_000_000n);
  });

  it('alerts a soft threshold the call crossed once, as an audit fact of that call', async () => {
    const key = await newKey();
    const soft = await createBudget({
      scope: 'key',
      scopeId: key.id,
      period: 'weekly',
      amountUsd: '0.00015',
      thresholds: [50, 100, 200],
    });
    const audits = (requestId: string) =>
      pollUntil(
        () =>
          gateway.admin<{ data: Array<{ action: string; target: string; metadata: Record<string, unknown> }> }>(
            'GET',
            `/audit?requestId=${requestId}`,
          ),
        (result) => result.data.some((record) => record.action === 'billing.budget.threshold_crossed'),
        { timeoutMs: 20_000 },
      ).then((result) => result.data.filter((record) => record.action === 'billing.budget.threshold_crossed'));
    // About 100,000 of 150,000 nano-USD: 50 % is crossed, 100 % is not.
    const first = await chat(key.key);
    expect(first.status).toBe(200);
    await first.json();
    const crossed = await audits(first.headers.get('x-request-id')!);
    expect(crossed).toEqual([
      expect.objectContaining({
        target: `budget:${soft.id}`,
        metadata: expect.objectContaining({ scope: 'key', period: 'weekly', thresholdPercent: 50 }),
      }),
    ]);
    expect((await budget(soft.id)).current).toMatchObject({ alertedPercent: 50 });
    // The second call takes the spend past 100 % (about 133 %): that threshold, and only it, now.
    const second = await chat(key.key);
    expect(second.status).toBe(200);
    await second.json();
    const next = await audits(second.headers.get('x-request-id')!);
    expect(next.map((record) => record.metadata.thresholdPercent)).toEqual([100]);
    expect((await budget(soft.id)).current).toMatchObject({ alertedPercent: 100 });
  });

  it('downgrades to cheaper capable models past a budget threshold, and says so in the route and explain', async () => {
    const key = await newKey();
    const watched = await createBudget({ scope: 'key', scopeId: key.id, period: 'daily', amountUsd: '0.0002' });
    await gateway.admin('PUT', `/routing-policies/key/${key.id}`, {
      strategy: { type: 'best-quality' },
      budgetPressure: { atPercent: 50, maxTier: 'economy' },
    });
    const explain = async () => {
      const response = await fetch(`${gateway.stack.ingressUrl}/v1/routing/explain`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: PROMPT }], max_tokens: 15 }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as {
        strategy: string;
        model: string;
        budgetPressure?: { budgetId: string; scope: string; usedPercent: number; atPercent: number };
        candidates: Array<{ model: string; kept: boolean; reason: string }>;
      };
    };
    const autoCall = async () => {
      const response = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: PROMPT }], max_tokens: 15 }),
      });
      expect(response.status).toBe(200);
      await response.json();
      return { model: response.headers.get('x-polymux-model'), route: response.headers.get('x-polymux-route') };
    };

    // Nothing spent yet: the policy's best quality, the strong model.
    expect(await explain()).toMatchObject({ strategy: 'best-quality', model: 'strong-model' });
    expect((await explain()).budgetPressure).toBeUndefined();
    expect(await autoCall()).toEqual({ model: 'strong-model', route: 'best-quality; first choice' });

    // That call cost about $0.001, five times the $0.0002 budget: past 50 %, cheaper models only.
    const spent = await settledSpend(watched.id, 1n);
    expect(spent.current.usedPercent).toBeGreaterThanOrEqual(50);
    const explained = await explain();
    expect(explained).toMatchObject({
      strategy: 'cheapest-capable',
      model: 'small-model',
      budgetPressure: { budgetId: watched.id, scope: 'key', atPercent: 50, usedPercent: spent.current.usedPercent },
    });
    expect(explained.candidates.find((candidate) => candidate.model === 'strong-model')).toMatchObject({
      kept: false,
      reason: expect.stringMatching(/above the economy tier budget pressure allows \(key budget [\d.]+% spent\)/),
    });
    const downgraded = await autoCall();
    expect(downgraded.model).toBe('small-model');
    expect(downgraded.route).toMatch(/^cheapest-capable \(budget pressure: key budget [\d.]+% spent\); first choice$/);
  });
});
