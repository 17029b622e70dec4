import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { AuditRecorded, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Streams, Subjects } from '@polymux/contracts';
import type { Bus } from '@polymux/messaging';
import { BUS, MessagingClient, decode } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { pollUntil } from '@polymux/testing';
import type { Kysely } from 'kysely';

import { BillingModule } from './billing.module';
import { LedgerRepository } from './ledger/ledger.repository';
import { reconcile } from './reconciliation/reconcile';
import type { DB } from './schema/db';
import { BILLING_DB } from './schema/db';
import { BROKER_CLOCK_MARGIN_MS } from './settlement-lag.service';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';

jest.setTimeout(60_000);

// PGlite loads Node built-ins with import(), which Jest's module sandbox refuses without
// --experimental-vm-modules: load it with Node's own loader, outside the sandbox.
jest.mock('@electric-sql/pglite', () =>
  jest
    .requireActual<{ _load: (request: string, parent: null, isMain: boolean) => unknown }>('node:module')
    ._load(require.resolve('@electric-sql/pglite'), null, false),
);

/** Collects on demand: the meter provider the embedded service counts into. */
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
const dataDir = mkdtempSync(join(tmpdir(), 'polymux-billing-'));
const start = () =>
  startService(
    { name: 'polymux', modules: [BillingModule], httpPort: () => 0 },
    {
      POLYMUX_MODE: 'embedded',
      POLYMUX_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      POLYMUX_SETTLEMENT_LAG_MAX_MS: '1500',
    },
  );

let service: RunningService;
let client: MessagingClient;

beforeAll(async () => {
  service = await start();
  client = service.app.get(MessagingClient);
});

afterAll(async () => {
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const balanceOf = async (accountId: string) => {
  const answer = await client.request(Subjects.balance, { accountId });
  return { balance: BigInt(answer.balance), reserved: BigInt(answer.reserved) };
};

describe('billing in the embedded mode (PGlite ledger, memory balances, in-process bus)', () => {
  it('reserves, settles once, and keeps balances across a restart', async () => {
    const account = `acct-${randomUUID()}`;
    const key = randomUUID();
    await client.request(Subjects.topUp, { accountId: account, amount: `${10n * USD}`, idempotencyKey: key });
    expect(
      await client.request(Subjects.topUp, { accountId: account, amount: `${10n * USD}`, idempotencyKey: key }),
    ).toMatchObject({
      applied: false,
    });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        client.request(
          Subjects.reserve,
          { accountId: account, amount: `${USD}`, ttlSeconds: 60 },
          { requestId: randomUUID() },
        ),
      ),
    );
    const held = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    expect(held).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(40);
    await expect(
      client.request(
        Subjects.reserve,
        { accountId: account, amount: '1', ttlSeconds: 60 },
        { requestId: randomUUID() },
      ),
    ).rejects.toMatchObject({ code: ErrorCode.InsufficientCredits });

    const [settledHold, ...others] = held;
    for (const hold of others) {
      await client.request(Subjects.release, { accountId: account, reservationId: hold.reservationId });
    }
    const event = {
      requestId: settledHold.reservationId,
      accountId: account,
      reservationId: settledHold.reservationId,
      orgId: 'org',
      teamId: null,
      projectId: 'project',
      keyId: 'key',
      requestedModel: 'auto',
      model: 'model',
      deploymentId: 'deployment',
      provider: 'openai',
      task: 'chat' as const,
      api: 'chat.completions' as const,
      inputTokens: 1,
      outputTokens: 1,
      cost: '250000000',
      outcome: 'success' as const,
      stream: true,
      attempts: [],
      durationMs: 1,
      occurredAt: new Date().toISOString(),
    };
    await client.emit(Subjects.usageRecorded, event, { messageId: event.requestId });
    await client.emit(Subjects.usageRecorded, event, { messageId: `${event.requestId}:again` });
    await pollUntil(
      () => balanceOf(account),
      (balance) => balance.reserved === 0n,
    );
    await pollUntil(
      () => client.request(Subjects.ledger, { accountId: account, requestId: event.requestId, limit: 10 }),
      (ledger) => ledger.entries.length > 0,
    );
    expect(await balanceOf(account)).toEqual({ balance: 9_750_000_000n, reserved: 0n });

    await service.close();
    service = await start();
    client = service.app.get(MessagingClient);
    expect(await balanceOf(account)).toEqual({ balance: 9_750_000_000n, reserved: 0n });
    const { entries } = await client.request(Subjects.ledger, { accountId: account, limit: 10 });
    expect(entries.map((entry) => [entry.kind, entry.amount])).toEqual([
      ['charge', '-250000000'],
      ['top_up', `${10n * USD}`],
    ]);
  });

  it('charges an overrun in full as its own transaction, audits it on the bus and counts it once', async () => {
    const account = `acct-${randomUUID()}`;
    await client.request(Subjects.topUp, { accountId: account, amount: `${10n * USD}`, idempotencyKey: randomUUID() });
    const requestId = randomUUID();
    await client.request(Subjects.reserve, { accountId: account, amount: `${USD}`, ttlSeconds: 60 }, { requestId });
    const event: UsageRecorded = {
      requestId,
      accountId: account,
      reservationId: requestId,
      orgId: 'org',
      teamId: null,
      projectId: 'project',
      keyId: 'key',
      requestedModel: 'auto',
      model: 'model',
      deploymentId: 'deployment',
      provider: 'openai',
      task: 'chat',
      api: 'chat.completions',
      inputTokens: 1,
      outputTokens: 1,
      cost: `${3n * USD}`,
      outcome: 'success',
      stream: false,
      attempts: [],
      durationMs: 1,
      occurredAt: new Date().toISOString(),
    };
    await client.emit(Subjects.usageRecorded, event, { messageId: requestId });
    await client.emit(Subjects.usageRecorded, event, { messageId: `${requestId}:again` });
    const ledger = await pollUntil(
      () => client.request(Subjects.ledger, { accountId: account, requestId, limit: 10 }),
      (answer) => answer.entries.length === 2,
    );
    expect(ledger.entries.map((entry) => [entry.kind, entry.amount]).sort()).toEqual([
      ['charge', `${-USD}`],
      ['overrun', `${-2n * USD}`],
    ]);
    await pollUntil(
      () => balanceOf(account),
      (balance) => balance.balance === 7n * USD && balance.reserved === 0n,
    );

    const facts: AuditRecorded[] = [];
    await service.app
      .get<symbol, Bus>(BUS)
      .consumeDurable(Streams.audit, Subjects.auditRecorded.subject, 'test-audit', async (message) => {
        facts.push(decode(message.data) as AuditRecorded);
      });
    const overrun = await pollUntil(
      () => facts.find((fact) => fact.requestId === requestId),
      (fact) => fact !== undefined,
    );
    expect(overrun).toMatchObject({
      action: 'billing.overrun',
      category: 'call',
      metadata: { heldNanoUsd: `${USD}`, chargedNanoUsd: `${3n * USD}`, overrunNanoUsd: `${2n * USD}` },
    });
    expect(await counted('polymux.billing.overruns')).toBe(1);
    expect(await counted('polymux.billing.overrun_amount')).toBe(Number(2n * USD));
  });

  it('keeps holds and refuses new ones while the ledger cannot settle, then charges each call once', async () => {
    const account = `acct-${randomUUID()}`;
    const probe = `acct-${randomUUID()}`;
    for (const accountId of [account, probe]) {
      await client.request(Subjects.topUp, { accountId, amount: `${10n * USD}`, idempotencyKey: randomUUID() });
    }
    const requestId = randomUUID();
    await client.request(Subjects.reserve, { accountId: account, amount: `${2n * USD}`, ttlSeconds: 1 }, { requestId });
    const expiresBy = Date.now() + 1_000;
    const store = service.app.get<symbol, BalanceStore>(BALANCE_STORE);
    const releaseExpired = store.releaseExpired.bind(store);
    const sweptAt: number[] = [];
    const sweeps = jest.spyOn(store, 'releaseExpired').mockImplementation((upToMs, limit) => {
      sweptAt.push(Date.now());
      return releaseExpired(upToMs, limit);
    });
    // The embedded ledger fails every write, as Postgres would when down.
    const ledger = service.app.get(LedgerRepository);
    const outage = jest.spyOn(ledger, 'writeBatch').mockRejectedValue(new Error('ledger unavailable'));
    const event: UsageRecorded = {
      requestId,
      accountId: account,
      reservationId: requestId,
      orgId: 'org',
      teamId: null,
      projectId: 'project',
      keyId: 'key',
      requestedModel: 'auto',
      model: 'model',
      deploymentId: 'deployment',
      provider: 'openai',
      task: 'chat',
      api: 'chat.completions',
      inputTokens: 1,
      outputTokens: 1,
      cost: `${USD}`,
      outcome: 'success',
      stream: false,
      attempts: [],
      durationMs: 1,
      occurredAt: new Date().toISOString(),
    };
    await client.emit(Subjects.usageRecorded, event, { messageId: requestId });
    const codeOf = () =>
      client
        .request(Subjects.reserve, { accountId: probe, amount: '1', ttlSeconds: 1 }, { requestId: randomUUID() })
        .then(
          () => 'held',
          (error: { code?: string }) => error.code ?? 'unknown',
        );
    expect(await pollUntil(codeOf, (code) => code !== 'held')).toBe(ErrorCode.ServiceUnavailable);
    await pollUntil(
      () => sweptAt.filter((at) => at > expiresBy + BROKER_CLOCK_MARGIN_MS + 500).length,
      (count) => count >= 2,
    );
    expect(await balanceOf(account)).toEqual({ balance: 10n * USD, reserved: 2n * USD });

    outage.mockRestore();
    await pollUntil(
      () => balanceOf(account),
      (balance) => balance.balance === 9n * USD && balance.reserved === 0n,
    );
    const { entries } = await client.request(Subjects.ledger, { accountId: account, requestId, limit: 10 });
    expect(entries.map((entry) => [entry.kind, entry.amount])).toEqual([['charge', `${-USD}`]]);
    // The whole embedded ledger (this file's only) against the memory store.
    const db = service.app.get<symbol, Kysely<DB>>(BILLING_DB);
    expect(await reconcile(db, { store, usages: [{ requestId, accountId: account, cost: USD }] })).toEqual([]);
    expect(await pollUntil(codeOf, (code) => code === 'held')).toBe('held');
    sweeps.mockRestore();
  });
});
