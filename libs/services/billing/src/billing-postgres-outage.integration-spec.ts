import { randomUUID } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';

import type { UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';

import { BillingModule } from './billing.module';
import { ledgerKeys } from './ledger/postings';
import { reconcile } from './reconciliation/reconcile';
import type { DB } from './schema/db';
import { BROKER_CLOCK_MARGIN_MS } from './settlement-lag.service';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';

jest.setTimeout(60_000);

const USD = 1_000_000_000n;
const LAG_MAX_MS = 1_500;
const databaseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_test');

/** Billing's only way to Postgres: a TCP proxy the test cuts (refuses and drops connections) and restores. */
class PostgresLink {
  private server: Server = createServer((client) => this.relay(client));
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    if (this.server.listening) return;
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.server = createServer((client) => this.relay(client));
  }

  private relay(client: Socket): void {
    const upstream = connect(Number(databaseUrl.port || 5432), databaseUrl.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  }
}

const namespace = `it_billing_pg_${randomUUID().slice(0, 8)}`;
const link = new PostgresLink();
// The test's own view of the ledger, straight to Postgres, never through the link.
const db = new Kysely<DB>({
  dialect: new PostgresDialect({ pool: new Pool({ connectionString: databaseUrl.toString(), max: 2 }) }),
}).withSchema('billing');
let billing: RunningService;
let client: MessagingClient;
let sweptAt: number[];

beforeAll(async () => {
  await link.open();
  const proxied = new URL(databaseUrl);
  proxied.host = `127.0.0.1:${link.port}`;
  billing = await startService(
    { name: 'billing', modules: [BillingModule] },
    {
      ...isolatedServiceEnv(namespace),
      DATABASE_URL: proxied.toString(),
      POLYMUX_SETTLEMENT_LAG_MAX_MS: String(LAG_MAX_MS),
    },
  );
  client = billing.app.get(MessagingClient);
  const store = billing.app.get<symbol, BalanceStore>(BALANCE_STORE);
  const releaseExpired = store.releaseExpired.bind(store);
  sweptAt = [];
  jest.spyOn(store, 'releaseExpired').mockImplementation((upToMs, limit) => {
    sweptAt.push(Date.now());
    return releaseExpired(upToMs, limit);
  });
});

afterAll(async () => {
  await link.open();
  await billing.close();
  await link.cut();
  await db.destroy();
  const env = isolatedServiceEnv(namespace);
  const redis = new Redis(env.REDIS_URL);
  const keys = await redis.keys(`${namespace}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

const reserve = (accountId: string, amount: bigint, requestId: string = randomUUID()) =>
  client.request(Subjects.reserve, { accountId, amount: amount.toString(), ttlSeconds: 1 }, { requestId });
const balanceOf = async (accountId: string) => {
  const answer = await client.request(Subjects.balance, { accountId });
  return { balance: BigInt(answer.balance), reserved: BigInt(answer.reserved) };
};
const usage = (accountId: string, requestId: string, cost: bigint): UsageRecorded => ({
  requestId,
  accountId,
  reservationId: requestId,
  orgId: 'org',
  teamId: null,
  projectId: 'project',
  keyId: 'key',
  requestedModel: 'fast',
  model: 'model',
  deploymentId: 'sim/model',
  provider: 'openai',
  task: 'chat',
  api: 'chat.completions',
  inputTokens: 1,
  outputTokens: 1,
  cost: cost.toString(),
  outcome: 'success',
  stream: false,
  attempts: [],
  durationMs: 1,
  occurredAt: new Date().toISOString(),
});
const codeOf = (attempt: Promise<unknown>) =>
  attempt.then(
    () => 'held',
    (error: { code?: string }) => error.code ?? 'unknown',
  );

describe('billing while Postgres is unreachable for longer than the hold TTL', () => {
  it('frees no credit twice, refuses new holds while behind, and charges every call once afterwards', async () => {
    const account = `acct-${randomUUID()}`;
    // Probes whether reserving works; its holds (taken before the lag shows) get no usage and expire.
    const probe = `acct-${randomUUID()}`;
    for (const accountId of [account, probe]) {
      await client.request(Subjects.topUp, { accountId, amount: `${10n * USD}`, idempotencyKey: randomUUID() });
    }
    const calls = [randomUUID(), randomUUID(), randomUUID()];
    for (const requestId of calls) await reserve(account, 2n * USD, requestId);
    // A call whose caller vanished: no usage ever comes; its hold must still go, once settlement catches up.
    const abandoned = randomUUID();
    await reserve(account, USD, abandoned);
    const expiresBy = Date.now() + 1_000;
    expect(await balanceOf(account)).toEqual({ balance: 10n * USD, reserved: 7n * USD });

    await link.cut();
    for (const requestId of calls) {
      await client.emit(Subjects.usageRecorded, usage(account, requestId, USD), { messageId: requestId, requestId });
    }

    // Settlement falls behind: new reservations fail closed, in a code ingress maps to 503.
    expect(
      await pollUntil(
        () => codeOf(reserve(probe, 1n)),
        (code) => code !== 'held',
      ),
    ).toBe(ErrorCode.ServiceUnavailable);
    // The sweeper has run well past every expiry (and the broker clock margin) and freed nothing.
    await pollUntil(
      () => sweptAt.filter((at) => at > expiresBy + BROKER_CLOCK_MARGIN_MS + 500).length,
      (sweeps) => sweeps >= 2,
    );
    expect(await balanceOf(account)).toEqual({ balance: 10n * USD, reserved: 7n * USD });
    expect(await codeOf(reserve(probe, 1n))).toBe(ErrorCode.ServiceUnavailable);

    await link.open();
    // Every call settles once, its hold with it; the abandoned hold is freed; nothing was spent twice.
    await pollUntil(
      () => balanceOf(account),
      (balance) => balance.reserved === 0n && balance.balance === 7n * USD,
      { timeoutMs: 20_000 },
    );
    await pollUntil(
      () => balanceOf(probe),
      (balance) => balance.reserved === 0n && balance.balance === 10n * USD,
    );
    for (const requestId of calls) {
      const charges = await db.selectFrom('transactions').select('kind').where('request_id', '=', requestId).execute();
      expect(charges).toEqual([{ kind: 'charge' }]);
    }
    const ledgerAccount = await db
      .selectFrom('entries')
      .select((eb) => eb.fn.sum<string>('amount').as('sum'))
      .where('account', '=', account)
      .executeTakeFirstOrThrow();
    expect(BigInt(ledgerAccount.sum)).toBe(7n * USD);
    const total = await sql<{ sum: string | null }>`select sum(amount) as sum from billing.entries`.execute(db);
    expect(BigInt(total.rows[0].sum ?? 0)).toBe(0n);
    expect(
      await db
        .selectFrom('transactions')
        .select('id')
        .where('idempotency_key', '=', ledgerKeys.charge(abandoned))
        .execute(),
    ).toEqual([]);
    const usages = calls.map((requestId) => ({ requestId, accountId: account, cost: USD }));
    const store = billing.app.get<symbol, BalanceStore>(BALANCE_STORE);
    expect(await reconcile(db, { store, accounts: [account, probe], usages })).toEqual([]);
    // Caught up: holds are taken again.
    expect(
      await pollUntil(
        () => codeOf(reserve(account, USD)),
        (code) => code === 'held',
      ),
    ).toBe('held');
  });
});
