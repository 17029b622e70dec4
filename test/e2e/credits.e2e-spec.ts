import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import { Redis } from 'ioredis';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * Grants, refunds and adjustments end to end: the admin API (control → billing over the bus →
 * Postgres and the balance store), calls through the OpenAI SDK spending the grant before paid
 * credit, the grant's expiry by billing's clock (POLYMUX_TEST_CLOCK_FILE), and the reasons in the
 * ledger listing. The catalog makes a call cost about 100,000 nano-USD.
 */

interface Entry {
  id: string;
  account: string;
  kind: string;
  requestId: string | null;
  reason: string | null;
  amountNanoUsd: string;
}
interface Balance {
  balanceNanoUsd: string;
  reservedNanoUsd: string;
}

const HOUR = 3_600_000;
/** nano-USD as the admin API's USD strings. */
const usd = (nano: bigint) => `${nano / 1_000_000_000n}.${String(nano % 1_000_000_000n).padStart(9, '0')}`;

describe.each(MODES)('grants, refunds and adjustments (%s mode)', (mode) => {
  let gateway: Gateway;
  let clockDir: string;
  const clockFile = () => join(clockDir, 'billing-clock-offset-ms');
  const setClock = (offsetMs: number) => writeFileSync(clockFile(), String(offsetMs));

  const post = (path: string, body: unknown, idempotencyKey: string | null = randomUUID()) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1/projects/${gateway.projectId}${path}`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef',
        'content-type': 'application/json',
        ...(idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey }),
      },
      body: JSON.stringify(body),
    });
  const balance = async () => {
    const view = await gateway.admin<Balance>('GET', `/projects/${gateway.projectId}/balance`);
    return { balance: BigInt(view.balanceNanoUsd), reserved: BigInt(view.reservedNanoUsd) };
  };
  const ledger = async () =>
    (await gateway.admin<{ data: Entry[] }>('GET', `/projects/${gateway.projectId}/ledger?limit=100`)).data;
  /** One call through the OpenAI SDK; answers its request id once billing has charged it. */
  const call = async () => {
    const client = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({ model: 'small-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 15 })
      .withResponse();
    const requestId = response.headers.get('x-request-id')!;
    const entries = await gateway.charges(requestId);
    return { requestId, entries: entries as unknown as Entry[] };
  };
  const settledBalance = () => pollUntil(balance, (current) => current.reserved === 0n, { timeoutMs: 15_000 });

  beforeAll(async () => {
    clockDir = mkdtempSync(join(tmpdir(), 'polymux-credits-clock-'));
    setClock(0);
    gateway = await startGateway({
      mode,
      label: 'credits',
      creditsUsd: '1.00',
      catalogFile: join(__dirname, 'budgets.catalog.yaml'),
      env: { POLYMUX_TEST_CLOCK_FILE: clockFile() },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    rmSync(clockDir, { recursive: true, force: true });
  });

  it('refuses credit movements without a reason or an Idempotency-Key, in OpenAI format', async () => {
    const noReason = await post('/grants', { amountUsd: '1.00' });
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'reason' } });
    const noKey = await post('/adjustments', { amountUsd: '1.00', reason: 'goodwill' }, null);
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ error: { param: 'Idempotency-Key' } });
    const zero = await post('/adjustments', { amountUsd: '-0.00', reason: 'nothing' });
    expect(zero.status).toBe(400);
    const unknownRequest = await post('/refunds', { requestId: randomUUID(), amountUsd: '0.01', reason: 'x' });
    expect(unknownRequest.status).toBe(404);
  });

  it('spends a grant before paid credit, expires its remainder, then refunds and adjusts with reasons in the ledger', async () => {
    const paid = 1_000_000_000n;
    const granted = 300_000n;
    const key = randomUUID();
    const expiresAt = new Date(Date.now() + HOUR).toISOString();
    const grant = await post('/grants', { amountUsd: usd(granted), expiresAt, reason: 'trial credit' }, key);
    expect(grant.status).toBe(201);
    expect(await grant.json()).toMatchObject({ applied: true, balanceNanoUsd: `${paid + granted}` });
    const retried = await post('/grants', { amountUsd: usd(granted), expiresAt, reason: 'trial credit' }, key);
    expect(await retried.json()).toMatchObject({ applied: false, balanceNanoUsd: `${paid + granted}` });

    // Two calls of about 100,000 nano-USD each: both paid by the grant.
    const first = await call();
    const second = await call();
    for (const { entries } of [first, second]) {
      expect(entries).toEqual([
        expect.objectContaining({ kind: 'charge', account: expect.stringContaining('/grant:') }),
      ]);
    }
    const spent = [first, second].reduce((sum, { entries }) => sum - BigInt(entries[0].amountNanoUsd), 0n);
    expect(spent).toBeLessThan(granted);
    expect(await settledBalance()).toEqual({ balance: paid + granted - spent, reserved: 0n });

    // Expiry: billing's clock moves past it; the remainder leaves, paid credit stays whole.
    setClock(HOUR + 60_000);
    await pollUntil(balance, (current) => current.balance === paid, { timeoutMs: 15_000 });
    setClock(0);
    const third = await call();
    expect(third.entries).toEqual([
      expect.objectContaining({ kind: 'charge', account: `project:${gateway.projectId}` }),
    ]);
    const cost = -BigInt(third.entries[0].amountNanoUsd);

    const refund = await post('/refunds', {
      requestId: third.requestId,
      amountUsd: usd(cost),
      reason: 'upstream timeout',
    });
    expect(refund.status).toBe(201);
    expect(await refund.json()).toMatchObject({ applied: true, balanceNanoUsd: `${paid}` });
    const tooMuch = await post('/refunds', { requestId: third.requestId, amountUsd: '0.000000001', reason: 'again' });
    expect(tooMuch.status).toBe(400);

    const debit = await post('/adjustments', { amountUsd: '-0.10', reason: 'duplicate top-up' });
    expect(await debit.json()).toMatchObject({ applied: true, balanceNanoUsd: `${paid - 100_000_000n}` });
    const credit = await post('/adjustments', { amountUsd: '0.05', reason: 'goodwill' });
    expect(await credit.json()).toMatchObject({ applied: true, balanceNanoUsd: `${paid - 50_000_000n}` });

    const entries = await ledger();
    const reasons = entries.filter((entry) => entry.reason !== null).map((entry) => [entry.kind, entry.reason]);
    expect(reasons).toEqual([
      ['adjustment', 'goodwill'],
      ['adjustment', 'duplicate top-up'],
      ['refund', 'upstream timeout'],
      ['grant', 'trial credit'],
    ]);
    const expiry = entries.filter((entry) => entry.kind === 'grant_expiry');
    expect(expiry).toEqual([expect.objectContaining({ amountNanoUsd: `${-(granted - spent)}` })]);
    expect(await balance()).toEqual({ balance: paid - 50_000_000n, reserved: 0n });
    // Each applied movement is audited once with its reason (the retried grant applied nothing again).
    const movements = async () =>
      (
        await gateway.admin<{ data: Array<{ action: string; target: string; metadata: { reason?: string } }> }>(
          'GET',
          '/audit?limit=1000',
        )
      ).data
        .filter((record) => record.target === `project:${gateway.projectId}`)
        .filter((record) => record.action.startsWith('credits.') && record.action !== 'credits.top_up')
        .map((record) => [record.action, record.metadata.reason])
        .sort();
    expect(await pollUntil(movements, (found) => found.length >= 4, { timeoutMs: 15_000 })).toEqual([
      ['credits.adjustment', 'duplicate top-up'],
      ['credits.adjustment', 'goodwill'],
      ['credits.grant', 'trial credit'],
      ['credits.refund', 'upstream timeout'],
    ]);

    if (mode === 'distributed') {
      expect(await gateway.reconcile()).toEqual({ code: 0, output: expect.stringContaining('reconcile') });
      // A balance changed behind the ledger's back is reported, and the command exits 1.
      const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: gateway.redisKeyPrefix });
      const account = `billing:{project:${gateway.projectId}}:account`;
      try {
        await redis.hincrby(account, 'balance', 1);
        expect(await gateway.reconcile()).toEqual({ code: 1, output: expect.stringContaining('store_balance') });
      } finally {
        await redis.hincrby(account, 'balance', -1);
        await redis.quit();
      }
    }
  });

  it('pages the ledger newest first with a cursor, filters by kind, and refuses a foreign cursor', async () => {
    await call();
    await call();
    const all = await ledger();
    expect(all.length).toBeGreaterThan(4);
    const walked: Entry[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Entry[]; nextCursor: string | null } = await gateway.admin(
        'GET',
        `/projects/${gateway.projectId}/ledger?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      walked.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked.map((entry) => entry.id)).toEqual(all.map((entry) => entry.id));
    const charges = await gateway.admin<{ data: Entry[] }>('GET', `/projects/${gateway.projectId}/ledger?kind=charge`);
    expect(charges.data.length).toBeGreaterThan(1);
    expect(new Set(charges.data.map((entry) => entry.kind))).toEqual(new Set(['charge']));
    const projects = await gateway.admin<{ nextCursor: string | null }>(
      'GET',
      `/orgs/${gateway.orgId}/projects?limit=1`,
    );
    const foreign = await fetch(
      `${gateway.stack.controlUrl}/admin/v1/projects/${gateway.projectId}/ledger?cursor=${projects.nextCursor ?? 'x'}`,
      { headers: { authorization: `Bearer ${gateway.adminKey}` } },
    );
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ error: { param: 'cursor' } });
  });
});
