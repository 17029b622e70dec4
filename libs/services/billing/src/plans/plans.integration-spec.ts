import { randomUUID } from 'node:crypto';

import type { CallFacts, PlanSpec, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { migrateToLatest } from '@polymux/database';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';

import type { BillingClock } from '../budgets/billing-clock';
import { BudgetDefinitions } from '../budgets/budget-definitions';
import { BudgetRepository } from '../budgets/budget.repository';
import { BudgetsService } from '../budgets/budgets.service';
import type { DB } from '../schema/db';
import { LedgerRepository } from '../ledger/ledger.repository';
import { billingMigrations } from '../schema/migrations';
import { RedisBudgetStore } from '../store/redis-budget.store';
import { PlanAdmin } from './plan-admin.service';
import { PlanRepository } from './plan.repository';
import { PlansService } from './plans.service';

jest.setTimeout(30_000);

/*
 * Plans against Postgres and Redis: a free plan's quota held by the budget store's Lua scripts from
 * two replicas at once, corrected to what calls used at settlement, and every call priced once,
 * whatever its redeliveries.
 */
const root = new Kysely<unknown>({
  dialect: new PostgresDialect({ pool: new Pool({ connectionString: process.env.DATABASE_URL, max: 6 }) }),
});
const db = root.withSchema('billing') as Kysely<DB>;
const prefix = `test:billing-plans:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });
const clock = { now: () => Date.now() } as BillingClock;

/** One billing replica's plan services, on the shared Postgres and Redis. */
const replica = () => {
  const repository = new BudgetRepository(db);
  const definitions = new BudgetDefinitions(repository);
  const store = new RedisBudgetStore(redis);
  const budgets = new BudgetsService(definitions, repository, store, clock);
  const plans = new PlansService(definitions, new PlanRepository(db), store, clock);
  const admin = new PlanAdmin(
    new PlanRepository(db),
    repository,
    definitions,
    budgets,
    clock,
    plans,
    new LedgerRepository(db),
  );
  return { definitions, plans, admin };
};

const free = (unit: 'tokens' | 'calls', limit: number): PlanSpec => ({
  plan: 'free',
  settings: { allowedModels: ['small-model'], dailyQuota: { unit, limit }, timezone: 'UTC' },
});
const facts = (maxTokens: number): CallFacts => ({ requestedModel: 'small-model', models: ['small-model'], maxTokens });
const hold = (reservationId = randomUUID()) => ({
  reservationId,
  expiresAtMs: Date.now() + 60_000,
  settlementKey: `charge:${reservationId}`,
});
const usage = (orgId: string, overrides: Partial<UsageRecorded> = {}): UsageRecorded => ({
  requestId: randomUUID(),
  accountId: `project:${orgId}`,
  reservationId: randomUUID(),
  orgId,
  teamId: null,
  projectId: 'p',
  keyId: 'k',
  requestedModel: 'small-model',
  model: 'small-model',
  deploymentId: 'sim/small-model',
  provider: 'openai',
  task: 'chat',
  api: 'chat.completions',
  inputTokens: 20,
  outputTokens: 10,
  cost: '1000000',
  outcome: 'success',
  stream: false,
  attempts: [],
  durationMs: 1,
  occurredAt: new Date().toISOString(),
  ...overrides,
});
const refusal = (error: unknown) => (error instanceof PolymuxException ? error.code : 'held');

beforeAll(async () => {
  await migrateToLatest(root, 'billing', billingMigrations);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
  await redis.quit();
  await root.destroy();
});

describe('free plan quota (Postgres + Redis)', () => {
  it('holds a daily call quota atomically across two replicas: exactly the quota passes', async () => {
    const orgId = `org-${randomUUID()}`;
    const [a, b] = [replica(), replica()];
    await a.admin.set({ orgId, spec: free('calls', 5), changedBy: null });
    const [orgA, orgB] = await Promise.all([a.definitions.reload(orgId), b.definitions.reload(orgId)]);
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        (index % 2 === 0
          ? a.plans.admit(orgId, orgA, facts(10), hold())
          : b.plans.admit(orgId, orgB, facts(10), hold())
        )
          .then(() => 'held')
          .catch(refusal),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'held')).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === ErrorCode.PlanQuotaExceeded)).toHaveLength(25);
    expect((await a.admin.query(orgId)).current.quota).toMatchObject({ used: '0', held: '5', limit: 5 });
  });

  it("holds a token quota's bound, then counts what the call used once, however often it is settled", async () => {
    const orgId = `org-${randomUUID()}`;
    const { admin, definitions, plans } = replica();
    await admin.set({ orgId, spec: free('tokens', 150), changedBy: null });
    const org = await definitions.reload(orgId);
    const first = hold();
    await plans.admit(orgId, org, facts(100), first);
    await expect(plans.admit(orgId, org, facts(100), hold())).rejects.toMatchObject({
      code: ErrorCode.PlanQuotaExceeded,
    });
    const used = usage(orgId, { reservationId: first.reservationId, inputTokens: 20, outputTokens: 10 });
    const charge = { usage: used, key: first.settlementKey, xid: 10n ** 15n, spec: free('tokens', 150) };
    await plans.settle([charge]);
    await plans.settle([charge]);
    expect((await admin.query(orgId)).current.quota).toMatchObject({ used: '30', held: '0' });
    await plans.admit(orgId, org, facts(100), hold());
    await expect(plans.admit(orgId, org, facts(100), hold())).rejects.toMatchObject({
      code: ErrorCode.PlanQuotaExceeded,
    });
  });

  it('refuses a model the free plan does not list, holding nothing', async () => {
    const orgId = `org-${randomUUID()}`;
    const { admin, definitions, plans } = replica();
    await admin.set({ orgId, spec: free('calls', 1), changedBy: null });
    const org = await definitions.reload(orgId);
    await expect(
      plans.admit(
        orgId,
        org,
        { requestedModel: 'auto', models: ['small-model', 'strong-model'], maxTokens: 1 },
        hold(),
      ),
    ).rejects.toMatchObject({ code: ErrorCode.ModelNotAllowed });
    await plans.admit(orgId, org, facts(1), hold());
  });
});

describe('pricing at settlement (Postgres)', () => {
  const enterprise: PlanSpec = {
    plan: 'enterprise',
    settings: {
      timezone: 'UTC',
      tiers: [
        { above: '0', basisPoints: 0 },
        { above: '1500000', basisPoints: 1000 },
      ],
      rates: [],
    },
  };
  const price = (plans: PlansService, calls: UsageRecorded[]) =>
    db.transaction().execute((trx) => plans.price(trx, calls));

  it('prices by marginal tiers of the month, and a redelivered call as its first delivery', async () => {
    const orgId = `org-${randomUUID()}`;
    const { admin, plans } = replica();
    await admin.set({ orgId, spec: enterprise, changedBy: 'key-1' });
    const [one, two] = [usage(orgId), usage(orgId)];
    const first = await price(plans, [one, two]);
    // 1,000,000 below the 1,500,000 boundary; then 500,000 below it and 500,000 above it at 10 %.
    expect(first.map(({ price }) => price.discount)).toEqual([0n, 50_000n]);
    const again = await price(plans, [two, one]);
    expect(again.map(({ price }) => price.discount)).toEqual([50_000n, 0n]);
    const three = await price(plans, [usage(orgId)]);
    expect(three[0]!.price).toEqual({ listCost: 1_000_000n, discount: 100_000n, charged: 900_000n });
    const month = await db
      .selectFrom('plan_usage')
      .select('used')
      .where('org_id', '=', orgId)
      .where('counter', '=', 'list')
      .execute();
    expect(month.map((row) => String(row.used))).toEqual(['3000000']);
  });

  it('prices a call under the plan in force at its own time', async () => {
    const orgId = `org-${randomUUID()}`;
    const { admin, plans } = replica();
    const from = Date.now() + 60_000;
    await admin.set({ orgId, spec: free('calls', 10), effectiveFrom: new Date(from).toISOString(), changedBy: null });
    const [before, after] = await price(plans, [
      usage(orgId, { occurredAt: new Date(from - 1).toISOString() }),
      usage(orgId, { occurredAt: new Date(from).toISOString() }),
    ]);
    expect(before!.price.charged).toBe(1_000_000n);
    expect(after!.price).toEqual({ listCost: 1_000_000n, discount: 1_000_000n, charged: 0n });
  });

  it('records every change with who made it and the plan it replaced, and refuses one in the past', async () => {
    const orgId = `org-${randomUUID()}`;
    const { admin } = replica();
    await admin.set({ orgId, spec: enterprise, changedBy: 'key-1' });
    const { change } = await admin.set({ orgId, spec: { plan: 'payg', settings: {} }, changedBy: 'key-2' });
    expect(change).toMatchObject({ changedBy: 'key-2', previous: enterprise, spec: { plan: 'payg' } });
    await expect(
      admin.set({ orgId, spec: enterprise, changedBy: null, effectiveFrom: '2020-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidRequest, details: { param: 'effectiveFrom' } });
    await expect(
      db.updateTable('org_plans').set({ changed_by: 'x' }).where('org_id', '=', orgId).execute(),
    ).rejects.toThrow(/append-only/);
  });
});
