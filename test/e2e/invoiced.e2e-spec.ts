import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * Invoiced enterprise orgs end to end: a credit limit set through the admin API (control → billing
 * → Postgres, the org's revision bumped) lets a project with no credits at all reserve and spend
 * below zero, down to the limit, enforced when the router reserves each call (billing's Redis
 * script or memory store); past it, the usual 402 in the caller's format. The plan view shows
 * what the org owes. The budgets catalog makes a call cost about 100,000 nano-USD and hold a bit more.
 */

interface InvoiceView {
  creditLimitUsd: string;
  owedUsd: string;
  owedNanoUsd: string;
  projects: Array<{ projectId: string; balanceUsd: string; owedUsd: string; owedNanoUsd: string }>;
}
interface PlansView {
  current: { plan: string; settings: Record<string, unknown> };
  invoice?: InvoiceView;
}
interface Balance {
  balanceNanoUsd: string;
  reservedNanoUsd: string;
}

const LIMIT_NANO = 500_000n;

describe.each(MODES)('invoiced enterprise org (%s mode)', (mode) => {
  let gateway: Gateway;

  const setPlan = (body: Record<string, unknown>) =>
    gateway.admin<PlansView>('PUT', `/orgs/${gateway.orgId}/plan`, body);
  const plans = () => gateway.admin<PlansView>('GET', `/orgs/${gateway.orgId}/plan`);
  const balance = async () => {
    const view = await gateway.admin<Balance>('GET', `/projects/${gateway.projectId}/balance`);
    return { balance: BigInt(view.balanceNanoUsd), reserved: BigInt(view.reservedNanoUsd) };
  };
  /** Once every call so far is settled (nothing held), the balance. */
  const settledBalance = async () =>
    (await pollUntil(balance, (view) => view.reserved === 0n, { timeoutMs: 20_000 })).balance;
  const chat = () =>
    fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'small-model',
        messages: [{ role: 'user', content: 'Say hello.' }],
        max_tokens: 15,
      }),
    });
  const invoiced = (creditLimitUsd: string) => ({ plan: 'enterprise', settings: { creditLimitUsd } });

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'invoiced',
      catalogFile: join(__dirname, 'budgets.catalog.yaml'),
      creditsUsd: null,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('lets an org without credits call down to its credit limit, then answers 402; a raised limit lets it call again', async () => {
    // Prepaid (payg) with no credits: refused.
    const prepaid = await chat();
    expect(prepaid.status).toBe(402);
    expect(await prepaid.json()).toMatchObject({ error: { code: 'insufficient_credits' } });

    const set = await setPlan(invoiced('0.0005'));
    expect(set.current).toMatchObject({ plan: 'enterprise', settings: { creditLimitUsd: '0.0005' } });
    let calls = 0;
    let refused: Response | undefined;
    for (let attempt = 0; attempt < 20 && !refused; attempt++) {
      await settledBalance();
      const response = await chat();
      if (response.status === 200) calls += 1;
      else refused = response;
      await response.text();
    }
    expect(refused?.status).toBe(402);
    expect(calls).toBeGreaterThanOrEqual(2);
    const owed = -(await settledBalance());
    // Owed, and never beyond the limit.
    expect(owed).toBeGreaterThan(0n);
    expect(owed).toBeLessThanOrEqual(LIMIT_NANO);

    // Past the limit, the SDKs see the usual 402 and do not retry it.
    let requests = 0;
    const openai = new OpenAI({
      apiKey: gateway.apiKey,
      baseURL: `${gateway.stack.ingressUrl}/v1`,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    });
    const caught = await openai.chat.completions
      .create({ model: 'small-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 15 })
      .catch((error: unknown) => error);
    expect(caught).toMatchObject({ status: 402, code: 'insufficient_credits', type: 'insufficient_quota' });
    expect(requests).toBe(1);
    const anthropic = await fetch(`${gateway.stack.ingressUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': gateway.apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'small-model',
        max_tokens: 15,
        messages: [{ role: 'user', content: 'Say hello.' }],
      }),
    });
    expect(anthropic.status).toBe(402);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'billing_error' } });

    // What the org owes: the project's balance below zero, and the total.
    expect((await plans()).invoice).toEqual({
      creditLimitUsd: '0.0005',
      owedUsd: expect.any(String),
      owedNanoUsd: owed.toString(),
      projects: [
        {
          projectId: gateway.projectId,
          balanceUsd: expect.stringMatching(/^-/),
          owedUsd: expect.any(String),
          owedNanoUsd: owed.toString(),
        },
      ],
    });

    // A raised limit reaches billing at once: the org calls again.
    await setPlan(invoiced('0.001'));
    const again = await chat();
    expect(again.status).toBe(200);
    await again.json();
    const after = -(await settledBalance());
    expect(after).toBeGreaterThan(owed);
    expect(after).toBeLessThanOrEqual(2n * LIMIT_NANO);
    expect((await plans()).invoice).toMatchObject({ creditLimitUsd: '0.001', owedNanoUsd: after.toString() });

    if (mode === 'distributed') {
      // Below zero down to the limit is within each account's floor; every usage row has its charge.
      expect(await gateway.reconcile()).toEqual({ code: 0, output: expect.stringContaining('reconcile') });
    }
  });

  it('refuses a credit limit that is not a positive USD amount, naming the field', async () => {
    for (const creditLimitUsd of ['0', '-1', 'lots', '1.0000000001']) {
      const response = await fetch(`${gateway.stack.controlUrl}/admin/v1/orgs/${gateway.orgId}/plan`, {
        method: 'PUT',
        headers: {
          authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef',
          'content-type': 'application/json',
        },
        body: JSON.stringify(invoiced(creditLimitUsd)),
      });
      expect({ creditLimitUsd, status: response.status }).toEqual({ creditLimitUsd, status: 400 });
      expect(await response.json()).toMatchObject({
        error: { type: 'invalid_request_error', param: 'settings.creditLimitUsd' },
      });
    }
  });
});
