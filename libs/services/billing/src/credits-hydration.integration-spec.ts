import { randomUUID } from 'node:crypto';

import type { UsageRecorded } from '@polymux/contracts';
import { migrateToLatest } from '@polymux/database';
import { Redis } from 'ioredis';
import type { Transaction } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';

import type { BillingClock } from './budgets/billing-clock';
import type { BudgetAlerts } from './budgets/budget-alerts.service';
import { BudgetDefinitions } from './budgets/budget-definitions';
import { BudgetRepository } from './budgets/budget.repository';
import { BudgetsService } from './budgets/budgets.service';
import { CreditsService } from './credits.service';
import { GrantsRepository } from './ledger/grants.repository';
import { LedgerApplier } from './ledger/ledger-applier';
import { LedgerRepository } from './ledger/ledger.repository';
import { PlanRepository } from './plans/plan.repository';
import { PlansService } from './plans/plans.service';
import type { OverrunReporter } from './overrun-reporter.service';
import type { DB } from './schema/db';
import { billingMigrations } from './schema/migrations';
import type { BalanceStore } from './store/balance.store';
import { MemoryBalanceStore } from './store/memory-balance.store';
import { MemoryBudgetStore } from './store/memory-budget.store';
import { RedisBalanceStore } from './store/redis-balance.store';
import { UsageRepository } from './usage/usage.repository';

jest.setTimeout(30_000);

const root = new Kysely<unknown>({
  dialect: new PostgresDialect({ pool: new Pool({ connectionString: process.env.DATABASE_URL, max: 4 }) }),
});
const db = root.withSchema('billing') as Kysely<DB>;
const prefix = `test:billing-hydration:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });
const overruns = { count: () => undefined, audit: async () => undefined } as unknown as OverrunReporter;
const clock = { now: () => Date.now() } as BillingClock;
const alerts = { check: async () => undefined } as unknown as BudgetAlerts;
/** Budgets with none defined for these calls' org: settlement touches no budget. */
const budgets = () =>
  new BudgetsService(
    new BudgetDefinitions(new BudgetRepository(db)),
    new BudgetRepository(db),
    new MemoryBudgetStore(),
    clock,
  );
const plans = () =>
  new PlansService(
    new BudgetDefinitions(new BudgetRepository(db)),
    new PlanRepository(db),
    new MemoryBudgetStore(),
    clock,
  );
const creditsOf = (ledger: LedgerRepository, store: BalanceStore) =>
  new CreditsService(
    ledger,
    store,
    overruns,
    budgets(),
    alerts,
    clock,
    new LedgerApplier(ledger, store),
    new GrantsRepository(db),
    plans(),
    new UsageRepository(db),
  );

/** A ledger whose next write stops inside its Postgres transaction, after the insert, until released. */
const pausingLedger = () => {
  let inserted!: () => void;
  let commit!: () => void;
  const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
  const commitSignal = new Promise<void>((resolve) => (commit = resolve));
  const gated = Object.create(db) as Kysely<DB>;
  gated.transaction = () => {
    const builder = db.transaction();
    const execute = builder.execute.bind(builder);
    return Object.assign(Object.create(builder), {
      execute: <T>(work: (trx: Transaction<DB>) => Promise<T>) =>
        execute(async (trx) => {
          const result = await work(trx);
          inserted();
          await commitSignal;
          return result;
        }),
    }) as typeof builder;
  };
  return { ledger: new LedgerRepository(gated), inserted: insertedSignal, commit };
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

beforeAll(async () => {
  await migrateToLatest(root, 'billing', billingMigrations);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
  await redis.quit();
  await root.destroy();
});

describe.each([
  ['memory', () => new MemoryBalanceStore()],
  ['redis', () => new RedisBalanceStore(redis)],
])('rehydrating a %s store while another replica commits', (_name, createStore: () => BalanceStore) => {
  let account: string;
  let store: BalanceStore;
  let credits: CreditsService;

  beforeEach(async () => {
    account = `acct-${randomUUID()}`;
    // The ledger knows the account; the store does not (it is new, or Redis lost it).
    await creditsOf(new LedgerRepository(db), new MemoryBalanceStore()).topUp({
      accountId: account,
      amount: '1000',
      idempotencyKey: randomUUID(),
    });
    store = createStore();
    credits = creditsOf(new LedgerRepository(db), store);
  });

  it('applies a top-up that started before the snapshot and committed after it', async () => {
    const writer = pausingLedger();
    const topUp = creditsOf(writer.ledger, store).topUp({
      accountId: account,
      amount: '500',
      idempotencyKey: randomUUID(),
    });
    await writer.inserted;
    await credits.hydrateAll();
    expect(await store.balance(account)).toEqual({ balance: 1000n, reserved: 0n });
    writer.commit();
    await topUp;
    expect(await store.balance(account)).toEqual({ balance: 1500n, reserved: 0n });
    expect((await new LedgerRepository(db).balanceOf(account)).balance).toBe(1500n);
  });

  it('applies a charge that started before the snapshot and committed after it', async () => {
    const requestId = randomUUID();
    const writer = pausingLedger();
    const settle = creditsOf(writer.ledger, store).settleAll([usage(account, requestId, 300n)]);
    await writer.inserted;
    await credits.hydrateAll();
    writer.commit();
    await settle;
    expect(await store.balance(account)).toEqual({ balance: 700n, reserved: 0n });
    expect((await new LedgerRepository(db).balanceOf(account)).balance).toBe(700n);
  });

  it('does not apply again what the snapshot counted', async () => {
    const requestId = randomUUID();
    // Recorded by a replica that died before it touched the store.
    const recorded = creditsOf(new LedgerRepository(db), new MemoryBalanceStore());
    await recorded.settleAll([usage(account, requestId, 200n)]);
    await credits.hydrateAll();
    await credits.settleAll([usage(account, requestId, 200n)]);
    expect(await store.balance(account)).toEqual({ balance: 800n, reserved: 0n });
  });
});
