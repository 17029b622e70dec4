import { randomUUID } from 'node:crypto';

import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { AuditRecorded, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import type { Bus } from '@polymux/messaging';
import { BUS, MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil, usageEvent } from '@polymux/testing';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { connect } from 'nats';

import { BillingModule } from './billing.module';
import { CreditsService } from './credits.service';
import { LedgerRepository } from './ledger/ledger.repository';
import { reconcile } from './reconciliation/reconcile';
import { chargePostings, ledgerKeys } from './ledger/postings';
import type { DB } from './schema/db';
import { BILLING_DB } from './schema/db';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';

jest.setTimeout(30_000);

/** Collects on demand: the meter provider every service in this file counts into. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const reader = new CollectingReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
const counted = async (name: string): Promise<number> => {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  return metric?.dataPoints.reduce((sum, point) => sum + Number(point.value), 0) ?? 0;
};

const USD = 1_000_000_000n;
const namespace = `it_billing_${randomUUID().slice(0, 8)}`;
const prefix = `${namespace}:`;
// Subjects, streams, durable consumers and Redis keys of this file only: no other test sees its traffic.
const env = isolatedServiceEnv(namespace);

// Two replicas in one queue group: requests and usage events reach either one.
let replicas: RunningService[];
let client: MessagingClient;
let db: Kysely<DB>;
let settleSpies: Array<jest.SpyInstance<Promise<void>, [UsageRecorded[]]>>;

const startReplica = () => startService({ name: 'billing', modules: [BillingModule] }, env);

beforeAll(async () => {
  replicas = [await startReplica(), await startReplica()];
  client = replicas[0].app.get(MessagingClient);
  db = replicas[0].app.get<symbol, Kysely<DB>>(BILLING_DB);
  settleSpies = replicas.map((replica) => jest.spyOn(replica.app.get(CreditsService), 'settleAll'));
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  const redis = new Redis(env.REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

/** The accounts the running test created: reconciled after it. */
let touched: string[] = [];
const newAccount = () => {
  const account = `acct-${randomUUID()}`;
  touched.push(account);
  return account;
};

/** After every test: the ledger's invariants hold, Redis agrees with it, and every settled call was charged once. */
afterEach(async () => {
  const accounts = new Set(touched);
  touched = [];
  const usages = settleSpies
    .flatMap((spy) => spy.mock.calls.flat(2))
    .filter((event) => accounts.has(event.accountId) && BigInt(event.cost) >= 0n)
    .map((event) => ({ requestId: event.requestId, accountId: event.accountId, cost: BigInt(event.cost) }));
  const store = replicas[0].app.get<symbol, BalanceStore>(BALANCE_STORE);
  expect(await reconcile(db, { store, accounts: [...accounts], usages })).toEqual([]);
});
const topUp = (accountId: string, amount: bigint, idempotencyKey: string = randomUUID()) =>
  client.request(Subjects.topUp, { accountId, amount: amount.toString(), idempotencyKey });
const reserve = (accountId: string, amount: bigint, requestId: string = randomUUID(), ttlSeconds = 300) =>
  client.request(Subjects.reserve, { accountId, amount: amount.toString(), ttlSeconds }, { requestId });
const balanceOf = async (accountId: string) => {
  const answer = await client.request(Subjects.balance, { accountId });
  return { balance: BigInt(answer.balance), reserved: BigInt(answer.reserved) };
};
const usage = (accountId: string, requestId: string, cost: bigint): UsageRecorded =>
  usageEvent({ requestId, accountId, cost: cost.toString() });
/** Publishes a usage event; a distinct message id passes JetStream's de-duplication, as a late redelivery would. */
const emitUsage = (event: UsageRecorded, messageId = event.requestId) =>
  client.emit(Subjects.usageRecorded, event, { messageId, requestId: event.requestId });
/** Waits until the replicas have finished handling `count` deliveries of the request's usage (batches count each). */
const settled = async (requestId: string, count: number) => {
  const calls = () =>
    settleSpies.flatMap((spy) =>
      spy.mock.calls.flatMap(([events], index) =>
        events.filter((event) => event.requestId === requestId).map(() => spy.mock.results[index]),
      ),
    );
  await pollUntil(
    () => calls().length,
    (seen) => seen >= count,
  );
  await Promise.all(calls().map((result) => result.value));
};
/** The last audit fact JetStream holds for this file's namespace (the AUDIT stream is real; no audit service runs here). */
const lastAuditFact = async (): Promise<AuditRecorded> => {
  const nats = await connect({ servers: env.NATS_URL });
  try {
    const manager = await nats.jetstreamManager();
    const stream = `${namespace.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_AUDIT`;
    const message = await manager.streams.getMessage(stream, {
      last_by_subj: `${namespace}.${Subjects.auditRecorded.subject}`,
    });
    return message.json<AuditRecorded>();
  } finally {
    await nats.close();
  }
};
/** The dead letter JetStream holds for an event whose payload names `requestId`, with its headers. */
const deadLetterOf = async (requestId: string) => {
  const nats = await connect({ servers: env.NATS_URL });
  try {
    const manager = await nats.jetstreamManager();
    const stream = `${namespace.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_DEADLETTER`;
    const { state } = await manager.streams.info(stream);
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const letter = await manager.streams.getMessage(stream, { seq });
      if (!Buffer.from(letter.data).toString().includes(requestId)) continue;
      return {
        reason: letter.header.get('polymux-dead-letter-reason'),
        deliveries: letter.header.get('polymux-dead-letter-deliveries'),
        consumer: letter.header.get('polymux-dead-letter-consumer'),
      };
    }
    return undefined;
  } finally {
    await nats.close();
  }
};
const chargesOf = (requestId: string) =>
  db.selectFrom('transactions').select('id').where('idempotency_key', '=', ledgerKeys.charge(requestId)).execute();

describe('billing over NATS', () => {
  it('applies a top-up once per idempotency key and refuses the key for another top-up', async () => {
    const account = newAccount();
    const key = randomUUID();
    expect(await topUp(account, 5n * USD, key)).toEqual({
      accountId: account,
      balance: `${5n * USD}`,
      reserved: '0',
      applied: true,
    });
    expect(await topUp(account, 5n * USD, key)).toMatchObject({ balance: `${5n * USD}`, applied: false });
    await expect(topUp(account, 6n * USD, key)).rejects.toMatchObject({ code: ErrorCode.Conflict });
    await expect(topUp(account, 0n, randomUUID())).rejects.toMatchObject({ code: ErrorCode.InvalidRequest });
    const { entries } = await client.request(Subjects.ledger, { accountId: account, limit: 10 });
    expect(entries).toEqual([expect.objectContaining({ account, amount: `${5n * USD}`, kind: 'top_up' })]);
  });

  it('holds a reservation once per request id and releases it once', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestId = randomUUID();
    expect(await reserve(account, 3n * USD, requestId)).toEqual({ reservationId: requestId, amount: `${3n * USD}` });
    expect(await reserve(account, 3n * USD, requestId)).toEqual({ reservationId: requestId, amount: `${3n * USD}` });
    expect(await balanceOf(account)).toEqual({ balance: 10n * USD, reserved: 3n * USD });
    await expect(reserve(account, 8n * USD)).rejects.toMatchObject({ code: ErrorCode.InsufficientCredits });
    expect(await client.request(Subjects.release, { accountId: account, reservationId: requestId })).toEqual({
      released: true,
    });
    expect(await client.request(Subjects.release, { accountId: account, reservationId: requestId })).toEqual({
      released: false,
    });
    expect(await balanceOf(account)).toEqual({ balance: 10n * USD, reserved: 0n });
  });

  it('refuses a reservation without a request id', async () => {
    const account = newAccount();
    await topUp(account, USD);
    await expect(
      client.request(Subjects.reserve, { accountId: account, amount: '1', ttlSeconds: 60 }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidRequest });
  });

  it('settles the actual cost once when the usage event is delivered twice', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestId = randomUUID();
    await reserve(account, 4n * USD, requestId);
    const event = usage(account, requestId, 1_500_000_000n);
    await emitUsage(event);
    await emitUsage(event, `${requestId}:redelivered`);
    await settled(requestId, 2);
    expect(await balanceOf(account)).toEqual({ balance: 8_500_000_000n, reserved: 0n });
    expect(await chargesOf(requestId)).toHaveLength(1);
    const { entries } = await client.request(Subjects.ledger, { accountId: account, requestId, limit: 10 });
    expect(entries).toEqual([expect.objectContaining({ amount: '-1500000000', kind: 'charge', requestId })]);
  });

  it('settles Redis exactly once when the ledger was written but Redis was not', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestId = randomUUID();
    await reserve(account, 2n * USD, requestId);
    // A replica recorded the charge and died before touching Redis.
    await replicas[1].app.get(LedgerRepository).record({
      kind: 'charge',
      idempotencyKey: ledgerKeys.charge(requestId),
      requestId,
      postings: chargePostings(account, USD),
    });
    expect(await balanceOf(account)).toEqual({ balance: 10n * USD, reserved: 2n * USD });
    await emitUsage(usage(account, requestId, USD));
    await emitUsage(usage(account, requestId, USD), `${requestId}:redelivered`);
    await settled(requestId, 2);
    expect(await balanceOf(account)).toEqual({ balance: 9n * USD, reserved: 0n });
    expect(await chargesOf(requestId)).toHaveLength(1);
  });

  it('rebuilds wiped balances from the ledger without charging a redelivered event again', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestId = randomUUID();
    await reserve(account, 2n * USD, requestId);
    await emitUsage(usage(account, requestId, USD));
    await settled(requestId, 1);
    const redis = new Redis(env.REDIS_URL, { keyPrefix: prefix });
    const wiped = await redis.keys(`${prefix}billing:{${account}}:*`);
    expect(wiped.length).toBeGreaterThan(0);
    await redis.unlink(...wiped.map((key) => key.slice(prefix.length)));
    await redis.quit();
    expect(await balanceOf(account)).toEqual({ balance: 0n, reserved: 0n });

    expect(await replicas[0].app.get(CreditsService).hydrateAll()).toBeGreaterThanOrEqual(1);
    expect(await balanceOf(account)).toEqual({ balance: 9n * USD, reserved: 0n });
    await emitUsage(usage(account, requestId, USD), `${requestId}:after-wipe`);
    await settled(requestId, 2);
    expect(await balanceOf(account)).toEqual({ balance: 9n * USD, reserved: 0n });
  });

  it('keeps every ledger transaction balanced and the whole ledger at zero', async () => {
    const account = newAccount();
    await topUp(account, 3n * USD);
    const requestId = randomUUID();
    await reserve(account, USD, requestId);
    await emitUsage(usage(account, requestId, 700_000_000n));
    await settled(requestId, 1);
    const perTransaction = await db
      .selectFrom('entries')
      .select((eb) => ['transaction_id', eb.fn.sum<string>('amount').as('sum')])
      .where('transaction_id', 'in', (eb) =>
        eb.selectFrom('entries').select('transaction_id').where('account', '=', account),
      )
      .groupBy('transaction_id')
      .execute();
    expect(perTransaction.map((row) => BigInt(row.sum))).toEqual([0n, 0n]);
    const total = await sql<{ sum: string | null }>`select sum(amount) as sum from billing.entries`.execute(db);
    expect(BigInt(total.rows[0].sum ?? 0)).toBe(0n);
    const { entries } = await client.request(Subjects.ledger, { accountId: account, limit: 10 });
    expect(entries.reduce((sum, entry) => sum + BigInt(entry.amount), 0n)).toBe(2_300_000_000n);
  });

  it('refuses unbalanced and edited ledger rows in the database itself', async () => {
    const unbalanced = db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('transactions')
        .values({ kind: 'top_up', idempotency_key: `test:${randomUUID()}`, request_id: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('entries')
        .values({ transaction_id: String(row.id), account: newAccount(), amount: '5' })
        .execute();
    });
    await expect(unbalanced).rejects.toThrow(/does not balance/);
    await expect(
      sql`update billing.entries set amount = amount + 1 where id = (select min(id) from billing.entries)`.execute(db),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`delete from billing.transactions where id = (select min(id) from billing.transactions)`.execute(db),
    ).rejects.toThrow(/append-only/);
  });

  it('never overspends under 50 concurrent reservations across replicas', async () => {
    const account = newAccount();
    const price = 2n * USD;
    await topUp(account, 10n * price);
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => reserve(account, price)));
    const held = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(held).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const reason of refused) expect(reason).toMatchObject({ code: ErrorCode.InsufficientCredits });
    expect(await balanceOf(account)).toEqual({ balance: 10n * price, reserved: 10n * price });
  });

  it('releases an expired reservation, and still charges a late settlement', async () => {
    const account = newAccount();
    await topUp(account, 5n * USD);
    const requestId = randomUUID();
    await reserve(account, 2n * USD, requestId, 1);
    expect(await balanceOf(account)).toEqual({ balance: 5n * USD, reserved: 2n * USD });
    await pollUntil(
      () => balanceOf(account),
      (balance) => balance.reserved === 0n,
    );
    await emitUsage(usage(account, requestId, USD));
    await settled(requestId, 1);
    expect(await balanceOf(account)).toEqual({ balance: 4n * USD, reserved: 0n });
  });

  it('charges an overrun in full, as its own balanced transaction, audited and counted once', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestId = randomUUID();
    await reserve(account, USD, requestId);
    const overrunsBefore = await counted('polymux.billing.overruns');
    const amountBefore = await counted('polymux.billing.overrun_amount');
    const event = usage(account, requestId, 1_500_000_000n);
    await emitUsage(event);
    await emitUsage(event, `${requestId}:redelivered`);
    await settled(requestId, 2);

    expect(await balanceOf(account)).toEqual({ balance: 8_500_000_000n, reserved: 0n });
    const { entries } = await client.request(Subjects.ledger, { accountId: account, requestId, limit: 10 });
    expect(entries.map((entry) => [entry.kind, entry.amount]).sort()).toEqual([
      ['charge', `${-USD}`],
      ['overrun', '-500000000'],
    ]);
    const transactions = await db
      .selectFrom('transactions')
      .innerJoin('entries', 'entries.transaction_id', 'transactions.id')
      .select((eb) => ['transactions.kind', eb.fn.sum<string>('entries.amount').as('sum')])
      .where('transactions.request_id', '=', requestId)
      .groupBy('transactions.kind')
      .execute();
    expect(transactions.map((row) => [row.kind, BigInt(row.sum)]).sort()).toEqual([
      ['charge', 0n],
      ['overrun', 0n],
    ]);
    expect(await counted('polymux.billing.overruns')).toBe(overrunsBefore + 1);
    expect(await counted('polymux.billing.overrun_amount')).toBe(amountBefore + 500_000_000);
    expect(await lastAuditFact()).toEqual({
      id: `${requestId}:billing.overrun`,
      category: 'call',
      action: 'billing.overrun',
      outcome: 'success',
      actorKeyId: 'key-test',
      orgId: 'org-test',
      projectId: 'project-test',
      requestId,
      target: 'sim/gpt-test',
      metadata: { heldNanoUsd: `${USD}`, chargedNanoUsd: '1500000000', overrunNanoUsd: '500000000' },
      occurredAt: event.occurredAt,
    });
  });

  it('charges a cost within its hold with no overrun', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestId = randomUUID();
    await reserve(account, USD, requestId);
    const overrunsBefore = await counted('polymux.billing.overruns');
    await emitUsage(usage(account, requestId, USD));
    await settled(requestId, 1);
    expect(await balanceOf(account)).toEqual({ balance: 9n * USD, reserved: 0n });
    const { entries } = await client.request(Subjects.ledger, { accountId: account, requestId, limit: 10 });
    expect(entries.map((entry) => entry.kind)).toEqual(['charge']);
    expect(await counted('polymux.billing.overruns')).toBe(overrunsBefore);
  });
});

describe('billing settles usage in batches', () => {
  const credits = () => replicas[0].app.get(CreditsService);
  const transactionsOf = (requestIds: string[]) =>
    db
      .selectFrom('transactions')
      .select(['kind', 'request_id', sql<string>`xid::text`.as('xid')])
      .where('request_id', 'in', requestIds)
      .execute();

  it('settles a batch with a duplicate and an overrun in one ledger transaction, each call once', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const [plain, over, within] = [randomUUID(), randomUUID(), randomUUID()];
    await reserve(account, 2n * USD, plain);
    await reserve(account, USD, over);
    await reserve(account, USD, within);
    const overrunsBefore = await counted('polymux.billing.overruns');
    const writes = jest.spyOn(replicas[0].app.get(LedgerRepository), 'writeBatch');
    try {
      await credits().settleAll([
        usage(account, plain, USD),
        usage(account, over, 3n * USD),
        usage(account, plain, USD),
        usage(account, within, 500_000_000n),
      ]);
      expect(writes).toHaveBeenCalledTimes(1);
    } finally {
      writes.mockRestore();
    }
    // 10 − 1 − 3 − 0.5: the overrun charged in full, the duplicate not at all, every hold freed.
    expect(await balanceOf(account)).toEqual({ balance: 5_500_000_000n, reserved: 0n });
    const rows = await transactionsOf([plain, over, within]);
    expect(rows.map((row) => [row.request_id, row.kind]).sort()).toEqual(
      [
        [plain, 'charge'],
        [over, 'charge'],
        [over, 'overrun'],
        [within, 'charge'],
      ].sort(),
    );
    expect(new Set(rows.map((row) => row.xid)).size).toBe(1);
    const { entries } = await client.request(Subjects.ledger, { accountId: account, requestId: over, limit: 10 });
    expect(entries.map((entry) => [entry.kind, entry.amount]).sort()).toEqual([
      ['charge', `${-USD}`],
      ['overrun', `${-2n * USD}`],
    ]);
    expect(await counted('polymux.billing.overruns')).toBe(overrunsBefore + 1);
    expect(await lastAuditFact()).toMatchObject({
      id: `${over}:billing.overrun`,
      metadata: { heldNanoUsd: `${USD}`, chargedNanoUsd: `${3n * USD}`, overrunNanoUsd: `${2n * USD}` },
    });
  });

  it('settles a redelivered batch that was recorded in the ledger but only partly applied to Redis exactly once', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestIds = [randomUUID(), randomUUID(), randomUUID()];
    for (const requestId of requestIds) await reserve(account, 2n * USD, requestId);
    const batch = [
      usage(account, requestIds[0], USD),
      usage(account, requestIds[1], 3n * USD),
      usage(account, requestIds[2], USD),
    ];
    // The replica committed the batch, applied the first charge to Redis and died.
    const store = replicas[0].app.get<symbol, BalanceStore>(BALANCE_STORE);
    const apply = store.apply.bind(store);
    let applied = 0;
    const dying = jest.spyOn(store, 'apply').mockImplementation(async (effect) => {
      applied += 1;
      if (applied > 1) throw new Error('replica killed');
      return apply(effect);
    });
    try {
      await expect(credits().settleAll(batch)).rejects.toThrow('replica killed');
    } finally {
      dying.mockRestore();
    }
    expect((await transactionsOf(requestIds)).length).toBe(4);
    const newcomer = randomUUID();
    await reserve(account, USD, newcomer);
    // Redelivered, in another batch shape and with a call that was not in it.
    await replicas[1].app.get(CreditsService).settleAll([...batch].reverse().concat(usage(account, newcomer, USD)));
    expect(await balanceOf(account)).toEqual({ balance: 4n * USD, reserved: 0n });
    const rows = await transactionsOf([...requestIds, newcomer]);
    expect(rows.map((row) => row.kind).sort()).toEqual(['charge', 'charge', 'charge', 'charge', 'overrun']);
    const ledger = await client.request(Subjects.ledger, { accountId: account, limit: 20 });
    expect(ledger.entries.reduce((sum, entry) => sum + BigInt(entry.amount), 0n)).toBe(4n * USD);
  });

  it('settles the valid usage events published together with a poison one, which is dead-lettered alone', async () => {
    const account = newAccount();
    await topUp(account, 10n * USD);
    const requestIds = [randomUUID(), randomUUID()];
    for (const requestId of requestIds) await reserve(account, 2n * USD, requestId);
    const bus = replicas[0].app.get<symbol, Bus>(BUS);
    const poisonId = `poison-${randomUUID()}`;
    await Promise.all([
      emitUsage(usage(account, requestIds[0], USD)),
      bus.publishDurable(
        Subjects.usageRecorded.subject,
        { data: Buffer.from(JSON.stringify({ requestId: poisonId, cost: 'not money' })), headers: {} },
        poisonId,
      ),
      emitUsage(usage(account, requestIds[1], USD)),
    ]);
    await Promise.all(requestIds.map((requestId) => settled(requestId, 1)));
    expect(await balanceOf(account)).toEqual({ balance: 8n * USD, reserved: 0n });
    const letter = await pollUntil(
      () => deadLetterOf(poisonId),
      (found) => found !== undefined,
    );
    expect(letter).toMatchObject({ reason: 'poison', deliveries: '1', consumer: 'billing-usage-recorded-v1' });
  });
});
