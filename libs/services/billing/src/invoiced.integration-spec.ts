import { randomUUID } from 'node:crypto';

import type { PlanSpec, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, usageEvent } from '@polymux/testing';
import { Redis } from 'ioredis';
import type { Insertable, Kysely, Transaction } from 'kysely';

import { BillingModule } from './billing.module';
import { CreditsService } from './credits.service';
import type { LedgerBatch, NewTransaction } from './ledger/ledger.repository';
import { LedgerRepository } from './ledger/ledger.repository';
import { chargePostings, ledgerKeys } from './ledger/postings';
import { reconcile } from './reconciliation/reconcile';
import { ReservationsService } from './reservations.service';
import type { DB } from './schema/db';
import type { UsageTable } from './schema/tables/usage.table';
import { BILLING_DB } from './schema/db';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';
import { UsageRepository } from './usage/usage.repository';
import { usageRowOf } from './usage/usage-row';

jest.setTimeout(60_000);

/*
 * Invoiced enterprise orgs across two billing replicas (NATS, Postgres, Redis): the credit limit is
 * a floor every replica enforces at reservation, a raised limit reaches them all, and the
 * reconciliation accepts debt down to the limit. Also the reconciliation's usage-row checks.
 */
const USD = 1_000_000_000n;
const namespace = `it_invoiced_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);

let replicas: RunningService[];
let client: MessagingClient;
let db: Kysely<DB>;
let store: BalanceStore;

beforeAll(async () => {
  const start = () => startService({ name: 'billing', modules: [BillingModule] }, env);
  replicas = [await start(), await start()];
  client = replicas[0].app.get(MessagingClient);
  db = replicas[0].app.get<symbol, Kysely<DB>>(BILLING_DB);
  store = replicas[0].app.get<symbol, BalanceStore>(BALANCE_STORE);
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  const redis = new Redis(env.REDIS_URL);
  const keys = await redis.keys(`${namespace}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

const invoiced = (creditLimitUsd: bigint): PlanSpec => ({
  plan: 'enterprise',
  settings: { timezone: 'UTC', tiers: [], rates: [], creditLimit: (creditLimitUsd * USD).toString() },
});
const setPlan = (orgId: string, spec: PlanSpec, replica = 0) =>
  replicas[replica].app.get(MessagingClient).request(Subjects.setPlan, { orgId, spec, changedBy: null });
const scopesOf = (orgId: string, projectId: string) => ({ orgId, teamId: null, projectId, keyId: 'key-it' });
const reserve = (accountId: string, orgId: string, amount: bigint, requestId = randomUUID()) =>
  client.request(
    Subjects.reserve,
    { accountId, amount: amount.toString(), ttlSeconds: 300, scopes: scopesOf(orgId, accountId.slice(8)) },
    { requestId },
  );
/** A reservation on one replica (not through the queue group), as its billing handler would take it. */
const reserveOn = (replica: number, accountId: string, orgId: string, amount: bigint) =>
  replicas[replica]!.app.get(ReservationsService).reserve(
    { accountId, amount: amount.toString(), ttlSeconds: 300, scopes: scopesOf(orgId, accountId.slice(8)) },
    randomUUID(),
  );
const usage = (accountId: string, orgId: string, requestId: string, cost: bigint): UsageRecorded =>
  usageEvent({ requestId, accountId, orgId, projectId: accountId.slice(8), keyId: 'key-it', cost: cost.toString() });
const outcomesOf = async (calls: Array<Promise<unknown>>) => {
  const outcomes = await Promise.allSettled(calls);
  const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
  for (const reason of refused) expect(reason).toMatchObject({ code: ErrorCode.InsufficientCredits });
  return { held: outcomes.length - refused.length, refused: refused.length };
};
const balanceOf = async (accountId: string) => {
  const answer = await client.request(Subjects.balance, { accountId });
  return { balance: BigInt(answer.balance), reserved: BigInt(answer.reserved) };
};

const usageRows = {
  insert: (trx: Transaction<DB>, rows: Insertable<UsageTable>[]) => new UsageRepository(db).insert(trx, rows),
};
const charge = (accountId: string, requestId: string, cost: bigint): NewTransaction => ({
  kind: 'charge',
  idempotencyKey: ledgerKeys.charge(requestId),
  requestId,
  postings: chargePostings(accountId, cost),
});
const row = (accountId: string, orgId: string, requestId: string, charged: bigint) =>
  usageRowOf(usage(accountId, orgId, requestId, charged), { listCost: charged, discount: 0n, charged });
/** Runs `work` in a ledger transaction that is rolled back afterwards, answering what it answered. */
const inRolledBack = async <T>(work: (trx: Transaction<DB>, batch: LedgerBatch) => Promise<T>): Promise<T> => {
  let answer: T | undefined;
  await new LedgerRepository(db)
    .writeBatch(async (batch) => {
      answer = await work(batch.trx, batch);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return answer as T;
};
class RolledBack extends Error {}

describe('invoiced enterprise org (two replicas)', () => {
  it('never reserves past the credit limit under concurrent calls on both replicas, and a raised limit reaches both', async () => {
    const orgId = `org-${randomUUID()}`;
    const account = `project:${randomUUID()}`;
    await setPlan(orgId, invoiced(10n));
    // No credits at all: 10 calls of $1 fit the $10 limit, half of the calls on each replica.
    const onReplica = (index: number) => reserveOn(index % 2, account, orgId, USD);
    expect(await outcomesOf(Array.from({ length: 40 }, (_, index) => onReplica(index)))).toEqual({
      held: 10,
      refused: 30,
    });
    expect(await balanceOf(account)).toEqual({ balance: 0n, reserved: 10n * USD });
    // The second replica raises it: the first, which still has the old plan, learns it from the budget store.
    await setPlan(orgId, invoiced(15n), 1);
    expect(await outcomesOf(Array.from({ length: 20 }, () => reserveOn(0, account, orgId, USD)))).toEqual({
      held: 5,
      refused: 15,
    });
    expect(await balanceOf(account)).toEqual({ balance: 0n, reserved: 15n * USD });
  });

  it('settles below zero down to the limit, shows it owed, and reconciles clean', async () => {
    const orgId = `org-${randomUUID()}`;
    const account = `project:${randomUUID()}`;
    await setPlan(orgId, invoiced(3n));
    const requests = [randomUUID(), randomUUID(), randomUUID()];
    for (const requestId of requests) await reserve(account, orgId, USD, requestId);
    await expect(reserve(account, orgId, USD)).rejects.toMatchObject({ code: ErrorCode.InsufficientCredits });
    const events = requests.map((requestId) => usage(account, orgId, requestId, USD));
    await replicas[1].app.get(CreditsService).settleAll(events);
    expect(await balanceOf(account)).toEqual({ balance: -3n * USD, reserved: 0n });
    await expect(reserve(account, orgId, 1n)).rejects.toMatchObject({ code: ErrorCode.InsufficientCredits });
    const plans = await client.request(Subjects.plans, { orgId, accounts: [account] });
    expect(plans.invoice).toEqual({
      creditLimit: (3n * USD).toString(),
      accounts: [{ accountId: account, balance: (-3n * USD).toString(), owed: (3n * USD).toString() }],
      owed: (3n * USD).toString(),
    });
    const usages = events.map((event) => ({ requestId: event.requestId, accountId: account, cost: USD }));
    expect(await reconcile(db, { store, accounts: [account], usages })).toEqual([]);
  });

  it('keeps the largest limit in force as the floor, and reports debt beyond it that no overrun recorded', async () => {
    const orgId = `org-${randomUUID()}`;
    const account = `project:${randomUUID()}`;
    await setPlan(orgId, invoiced(1n));
    const requestId = randomUUID();
    await reserve(account, orgId, USD, requestId);
    await replicas[0].app.get(CreditsService).settleAll([usage(account, orgId, requestId, USD)]);
    // Back to prepaid: the debt the limit allowed is no breach, but no call is held below zero any more.
    await setPlan(orgId, { plan: 'payg', settings: {} });
    await expect(reserve(account, orgId, 1n)).rejects.toMatchObject({ code: ErrorCode.InsufficientCredits });
    expect(await reconcile(db, { store, accounts: [account] })).toEqual([]);
    const differences = await inRolledBack(async (trx, batch) => {
      // A debit of $1 that no reservation checked, with its usage row.
      const debit = randomUUID();
      await batch.record([charge(account, debit, USD)]);
      await usageRows.insert(trx, [row(account, orgId, debit, USD)]);
      return reconcile(trx, { accounts: [account] });
    });
    expect(differences).toEqual([
      {
        check: 'below_floor',
        detail: `${account} is at ${-2n * USD} nano-USD, beyond its floor of ${-USD} and its recorded overruns of 0`,
      },
    ]);
  });
});

describe('reconciliation of usage rows', () => {
  it('reports a charge without a usage row, a row without a charge and a row whose amount differs, bounded', async () => {
    const orgId = `org-${randomUUID()}`;
    const account = `project:${randomUUID()}`;
    const [unrecorded, uncharged, mismatched, alsoMismatched] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    await client.request(Subjects.topUp, {
      accountId: account,
      amount: (10n * USD).toString(),
      idempotencyKey: randomUUID(),
    });
    const differences = await inRolledBack(async (trx, batch) => {
      await batch.record([
        charge(account, unrecorded, USD),
        charge(account, mismatched, USD),
        charge(account, alsoMismatched, USD),
      ]);
      await usageRows.insert(trx, [
        row(account, orgId, uncharged, USD),
        row(account, orgId, mismatched, 2n * USD),
        row(account, orgId, alsoMismatched, 3n * USD),
      ]);
      return {
        all: await reconcile(trx, { accounts: [account] }),
        bounded: await reconcile(trx, { accounts: [account], usageRowLimit: 1 }),
      };
    });
    const sorted = [alsoMismatched, mismatched, uncharged].sort();
    const says = (requestId: string) =>
      requestId === uncharged
        ? `usage row of request ${uncharged} on ${account} says ${USD} nano-USD charged; it has 0 charge(s) taking 0`
        : `usage row of request ${requestId} on ${account} says ${requestId === mismatched ? 2n * USD : 3n * USD} nano-USD charged; it has 1 charge(s) taking ${USD}`;
    expect(differences.all).toEqual([
      ...sorted.map((requestId) => ({ check: 'usage_row_mismatch', detail: says(requestId) })),
      {
        check: 'charge_without_usage_row',
        detail: expect.stringContaining(`of request ${unrecorded} has no usage row`),
      },
    ]);
    expect(differences.bounded).toEqual([
      { check: 'usage_row_mismatch', detail: says(sorted[0]!) },
      { check: 'usage_row_mismatch', detail: '… and 2 more usage row(s) not matching their charge' },
      {
        check: 'charge_without_usage_row',
        detail: expect.stringContaining(`of request ${unrecorded} has no usage row`),
      },
    ]);
    // Rolled back: nothing of it stayed.
    expect(await reconcile(db, { store, accounts: [account] })).toEqual([]);
  });
});
