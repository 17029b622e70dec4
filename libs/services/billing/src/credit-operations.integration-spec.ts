import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ErrorCode, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, usageEvent } from '@polymux/testing';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';

import { BillingModule } from './billing.module';
import { CreditsService } from './credits.service';
import { GrantExpiry } from './grant-expiry.service';
import { reconcile } from './reconciliation/reconcile';
import type { DB } from './schema/db';
import { BILLING_DB } from './schema/db';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';

jest.setTimeout(30_000);

const USD = 1_000_000_000n;
const HOUR = 3_600_000;
const namespace = `it_credits_${randomUUID().slice(0, 8)}`;
const prefix = `${namespace}:`;
const clockFile = join(mkdtempSync(join(tmpdir(), 'polymux-credits-')), 'clock');
const env = { ...isolatedServiceEnv(namespace), POLYMUX_TEST_CLOCK_FILE: clockFile };
const moveClock = (offsetMs: number) => writeFileSync(clockFile, String(offsetMs));

let billing: RunningService;
let client: MessagingClient;
let db: Kysely<DB>;
const touched: string[] = [];

beforeAll(async () => {
  moveClock(0);
  billing = await startService({ name: 'billing', modules: [BillingModule] }, env);
  client = billing.app.get(MessagingClient);
  db = billing.app.get<symbol, Kysely<DB>>(BILLING_DB);
});

afterAll(async () => {
  await billing.close();
  const redis = new Redis(env.REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

afterEach(async () => {
  const store = billing.app.get<symbol, BalanceStore>(BALANCE_STORE);
  expect(await reconcile(db, { store, accounts: touched.splice(0) })).toEqual([]);
  moveClock(0);
});

const newAccount = () => {
  const account = `acct-${randomUUID()}`;
  touched.push(account);
  return account;
};
const topUp = (accountId: string, amount: bigint) =>
  client.request(Subjects.topUp, { accountId, amount: amount.toString(), idempotencyKey: randomUUID() });
const grant = (accountId: string, amount: bigint, expiresInMs: number | null, idempotencyKey = randomUUID()) =>
  client.request(Subjects.grant, {
    accountId,
    amount: amount.toString(),
    expiresAt: expiresInMs === null ? null : new Date(Date.now() + expiresInMs).toISOString(),
    reason: 'launch promotion',
    idempotencyKey,
  });
const balanceOf = async (accountId: string) => {
  const answer = await client.request(Subjects.balance, { accountId });
  return { balance: BigInt(answer.balance), reserved: BigInt(answer.reserved) };
};
const usage = (accountId: string, requestId: string, cost: bigint) =>
  usageEvent({ requestId, accountId, cost: cost.toString() });
/** Reserves and settles one call. */
const call = async (accountId: string, hold: bigint, cost: bigint, requestId = randomUUID()) => {
  await client.request(Subjects.reserve, { accountId, amount: hold.toString(), ttlSeconds: 300 }, { requestId });
  await billing.app.get(CreditsService).settleAll([usage(accountId, requestId, cost)]);
  return requestId;
};
const entriesOf = async (accountId: string) =>
  (await client.request(Subjects.ledger, { accountId, limit: 100 })).entries.map((entry) => ({
    kind: entry.kind,
    grant: entry.account !== accountId,
    amount: BigInt(entry.amount),
    reason: entry.reason,
  }));
const sweep = () => billing.app.get(GrantExpiry).sweep();
const expiriesOf = async (accountId: string) =>
  (await entriesOf(accountId)).filter((entry) => entry.kind === 'grant_expiry');

describe('grants', () => {
  it('spends grant credit before paid credit, the earliest expiry first, and refuses a reused key', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const key = randomUUID();
    const late = await grant(account, 2n * USD, null, key);
    await grant(account, USD, HOUR);
    expect(late).toMatchObject({ applied: true, balance: `${12n * USD}`, expiresAt: null });
    expect(await grant(account, 2n * USD, null, key)).toMatchObject({ applied: false, grantId: late.grantId });
    await expect(grant(account, 3n * USD, null, key)).rejects.toMatchObject({ code: ErrorCode.Conflict });

    await call(account, 2n * USD, 2n * USD);
    await call(account, 2n * USD, 2n * USD);
    expect(await balanceOf(account)).toEqual({ balance: 9n * USD, reserved: 0n });
    const charges = (await entriesOf(account)).filter((entry) => entry.kind === 'charge');
    // Newest first: 1 of the late grant and 1 paid; then the expiring grant's 1 and 1 of the late one.
    expect(charges.map(({ grant: fromGrant, amount }) => [fromGrant, amount])).toEqual([
      [false, -USD],
      [true, -USD],
      [true, -USD],
      [true, -USD],
    ]);
    expect((await entriesOf(account)).find((entry) => entry.kind === 'grant')?.reason).toBe('launch promotion');
  });

  it('takes the unspent remainder out once at expiry, by the billing clock', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    await grant(account, 5n * USD, HOUR);
    await call(account, 3n * USD, 2n * USD);
    // The sweep is global: other suites sharing the database may have grants of their own due, so
    // only this account's ledger tells whether its grant was touched.
    await sweep();
    expect(await balanceOf(account)).toEqual({ balance: 13n * USD, reserved: 0n });
    expect(await expiriesOf(account)).toHaveLength(0);

    moveClock(HOUR + 1_000);
    await sweep();
    expect(await balanceOf(account)).toEqual({ balance: 10n * USD, reserved: 0n });
    await sweep();
    expect(await balanceOf(account)).toEqual({ balance: 10n * USD, reserved: 0n });
    expect(await expiriesOf(account)).toEqual([{ kind: 'grant_expiry', grant: true, amount: -3n * USD, reason: null }]);
    // Paid credit never expires; later calls spend it.
    await call(account, USD, USD);
    expect(await balanceOf(account)).toEqual({ balance: 9n * USD, reserved: 0n });
  });

  it('waits while in-flight calls hold the grant, then expires what they left', async () => {
    const account = newAccount();
    await grant(account, 5n * USD, HOUR);
    const requestId = randomUUID();
    await client.request(
      Subjects.reserve,
      { accountId: account, amount: `${4n * USD}`, ttlSeconds: 300 },
      { requestId },
    );
    moveClock(HOUR + 1_000);
    await sweep();
    expect(await balanceOf(account)).toEqual({ balance: 5n * USD, reserved: 4n * USD });
    await billing.app.get(CreditsService).settleAll([usage(account, requestId, 4n * USD)]);
    await sweep();
    expect(await balanceOf(account)).toEqual({ balance: 0n, reserved: 0n });
  });

  it('hydrates a lost account with its grants counted', async () => {
    const account = newAccount();
    await topUp(account, USD);
    await grant(account, 2n * USD, HOUR);
    await call(account, USD, USD / 2n);
    const redis = new Redis(env.REDIS_URL, { keyPrefix: prefix });
    const keys = await redis.keys(`${prefix}billing:{${account}}:account`);
    await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
    await redis.quit();
    await billing.app.get(CreditsService).hydrateAll();
    expect(await balanceOf(account)).toEqual({ balance: 2_500_000_000n, reserved: 0n });
  });

  it('refuses a grant on a grant sub-account or with an expiry in the past', async () => {
    const account = newAccount();
    await expect(grant(`${account}/grant:x`, USD, null)).rejects.toMatchObject({ code: ErrorCode.InvalidRequest });
    await expect(grant(account, USD, -1_000)).rejects.toMatchObject({ code: ErrorCode.InvalidRequest });
  });
});

describe('refunds and adjustments', () => {
  const refund = (accountId: string, requestId: string, amount: bigint, idempotencyKey = randomUUID()) =>
    client.request(Subjects.refund, {
      accountId,
      requestId,
      amount: amount.toString(),
      reason: 'upstream error',
      idempotencyKey,
    });
  const adjust = (accountId: string, amount: bigint, idempotencyKey = randomUUID(), reason = 'goodwill') =>
    client.request(Subjects.adjust, { accountId, amount: amount.toString(), reason, idempotencyKey });

  it('refunds at most what a request was charged, once per key, as paid credit', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestId = await call(account, USD, 3n * USD);
    expect(await balanceOf(account)).toEqual({ balance: 7n * USD, reserved: 0n });
    const key = randomUUID();
    expect(await refund(account, requestId, 2n * USD, key)).toMatchObject({ applied: true, balance: `${9n * USD}` });
    expect(await refund(account, requestId, 2n * USD, key)).toMatchObject({ applied: false, balance: `${9n * USD}` });
    await expect(refund(account, requestId, USD + 1n)).rejects.toMatchObject({ code: ErrorCode.InvalidRequest });
    await expect(refund(account, requestId, USD, key)).rejects.toMatchObject({ code: ErrorCode.Conflict });
    await expect(refund(account, randomUUID(), USD)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(refund(newAccount(), requestId, USD)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(await refund(account, requestId, USD)).toMatchObject({ applied: true, balance: `${10n * USD}` });
    expect((await entriesOf(account)).filter((entry) => entry.kind === 'refund')).toEqual([
      { kind: 'refund', grant: false, amount: USD, reason: 'upstream error' },
      { kind: 'refund', grant: false, amount: 2n * USD, reason: 'upstream error' },
    ]);
  });

  it('adjusts up and down with a reason, never taking what calls hold', async () => {
    const account = newAccount();
    await topUp(account, 3n * USD);
    await grant(account, USD, HOUR);
    expect(await adjust(account, 2n * USD)).toMatchObject({ applied: true, balance: `${6n * USD}` });
    await client.request(
      Subjects.reserve,
      { accountId: account, amount: `${5n * USD}`, ttlSeconds: 300 },
      { requestId: randomUUID() },
    );
    await expect(adjust(account, -2n * USD)).rejects.toMatchObject({ code: ErrorCode.InsufficientCredits });
    const key = randomUUID();
    expect(await adjust(account, -USD, key, 'duplicate top-up')).toMatchObject({
      applied: true,
      balance: `${5n * USD}`,
    });
    expect(await adjust(account, -USD, key, 'duplicate top-up')).toMatchObject({
      applied: false,
      balance: `${5n * USD}`,
    });
    await expect(adjust(account, -USD, key, 'another reason')).rejects.toMatchObject({ code: ErrorCode.Conflict });
    await expect(adjust(account, 0n)).rejects.toMatchObject({ code: ErrorCode.InvalidRequest });
    const adjustments = (await entriesOf(account)).filter((entry) => entry.kind === 'adjustment');
    // The debit spent the grant first, like a charge.
    expect(adjustments).toEqual([
      { kind: 'adjustment', grant: true, amount: -USD, reason: 'duplicate top-up' },
      { kind: 'adjustment', grant: false, amount: 2n * USD, reason: 'goodwill' },
    ]);
  });
});

describe('a usage event that comes after its hold was freed', () => {
  it('charges all of it as a recorded overrun, so the account is below zero only by that', async () => {
    const account = newAccount();
    await topUp(account, USD);
    const late = randomUUID();
    await client.request(
      Subjects.reserve,
      { accountId: account, amount: USD.toString(), ttlSeconds: 300 },
      { requestId: late },
    );
    // The hold expires (here: released) before the call's usage arrives; another call spends the credit.
    await client.request(Subjects.release, { accountId: account, reservationId: late });
    await call(account, USD, USD);
    await billing.app.get(CreditsService).settleAll([usage(account, late, USD)]);
    expect(await balanceOf(account)).toEqual({ balance: -USD, reserved: 0n });
    const kinds = (await entriesOf(account)).filter((entry) => entry.amount !== 0n).map((entry) => entry.kind);
    expect(kinds.sort()).toEqual(['charge', 'overrun', 'top_up']);
    // afterEach reconciles: below zero, but only by the recorded overrun.
  });
});

describe('reconciliation', () => {
  it('reports a store balance that differs from the ledger, and calls not charged once or not at their cost', async () => {
    const account = newAccount();
    await topUp(account, 5n * USD);
    const requestId = await call(account, USD, USD);
    const store = billing.app.get<symbol, BalanceStore>(BALANCE_STORE);
    const redis = new Redis(env.REDIS_URL, { keyPrefix: prefix });
    await redis.hincrby(`billing:{${account}}:account`, 'balance', 7);
    const differences = await reconcile(db, {
      store,
      accounts: [account],
      usages: [
        { requestId, accountId: account, cost: 2n * USD },
        { requestId: randomUUID(), accountId: account, cost: USD },
      ],
    });
    expect(differences.map((difference) => difference.check).sort()).toEqual([
      'store_balance',
      'usage_charge_mismatch',
      'usage_not_charged_once',
    ]);
    await redis.hincrby(`billing:{${account}}:account`, 'balance', -7);
    await redis.quit();
  });

  it('reports unbalanced transactions and accounts below their floor (in a transaction rolled back)', async () => {
    const account = `acct-${randomUUID()}`;
    const rolledBack = new Error('rolled back');
    await expect(
      db.transaction().execute(async (trx) => {
        const { id } = await trx
          .insertInto('transactions')
          .values({ kind: 'charge', idempotency_key: `charge:${randomUUID()}`, request_id: null, reason: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('entries')
          .values({ transaction_id: String(id), account, amount: '-5' })
          .execute();
        const checks = (await reconcile(trx)).map((difference) => difference.check);
        expect(checks).toEqual(expect.arrayContaining(['unbalanced_transaction', 'below_floor']));
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
  });
});
