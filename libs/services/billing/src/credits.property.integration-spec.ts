import { randomUUID } from 'node:crypto';

import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { migrateToLatest } from '@polymux/database';
import { usageEvent } from '@polymux/testing';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';

import type { BillingClock } from './budgets/billing-clock';
import type { BudgetAlerts } from './budgets/budget-alerts.service';
import { BudgetDefinitions } from './budgets/budget-definitions';
import { BudgetRepository } from './budgets/budget.repository';
import { BudgetsService } from './budgets/budgets.service';
import { CreditOperations } from './credit-operations.service';
import { CreditsService } from './credits.service';
import { GrantExpiry } from './grant-expiry.service';
import { GrantsRepository } from './ledger/grants.repository';
import { LedgerApplier } from './ledger/ledger-applier';
import { LedgerRepository } from './ledger/ledger.repository';
import type { OverrunReporter } from './overrun-reporter.service';
import { PlanRepository } from './plans/plan.repository';
import { PlansService } from './plans/plans.service';
import type { KnownUsage } from './reconciliation/reconcile';
import { reconcile } from './reconciliation/reconcile';
import type { DB } from './schema/db';
import { billingMigrations } from './schema/migrations';
import type { BalanceStore } from './store/balance.store';
import { MemoryBalanceStore } from './store/memory-balance.store';
import { MemoryBudgetStore } from './store/memory-budget.store';
import { RedisBalanceStore } from './store/redis-balance.store';
import { UsageRepository } from './usage/usage.repository';

jest.setTimeout(120_000);

const root = new Kysely<unknown>({
  dialect: new PostgresDialect({ pool: new Pool({ connectionString: process.env.DATABASE_URL, max: 4 }) }),
});
const db = root.withSchema('billing') as Kysely<DB>;
const prefix = `test:billing-properties:${randomUUID()}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix });
/**
 * The billing clock of these runs: an expiry moves it 20 years on, and grants expire 10 years after
 * it, so no other spec's billing clock (moved by an hour at most) expires them behind this store's back.
 */
let offsetMs = 0;
const clock = { now: () => Date.now() + offsetMs } as BillingClock;
const GRANT_LIFE_MS = 10 * 365 * 24 * 3_600_000;

beforeAll(async () => {
  await migrateToLatest(root, 'billing', billingMigrations);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(prefix.length)));
  await redis.quit();
  await root.destroy();
});

/** One step of an account's life; `request` picks one of a handful of request ids, so steps meet. */
type Step =
  | { op: 'topUp'; amount: number }
  | { op: 'grant'; amount: number; expiring: boolean }
  | { op: 'reserve'; request: number; amount: number }
  | { op: 'settle'; request: number; cost: number }
  | { op: 'release'; request: number }
  | { op: 'refund'; request: number; amount: number }
  | { op: 'adjust'; amount: number }
  | { op: 'expire' }
  | { op: 'repeat'; back: number };

const amount = fc.integer({ min: 1, max: 1_000 });
const request = fc.integer({ min: 0, max: 4 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('topUp' as const), amount }),
  fc.record({ op: fc.constant('grant' as const), amount, expiring: fc.boolean() }),
  fc.record({ op: fc.constant('reserve' as const), request, amount }),
  fc.record({ op: fc.constant('settle' as const), request, cost: fc.integer({ min: 0, max: 1_200 }) }),
  fc.record({ op: fc.constant('release' as const), request }),
  fc.record({ op: fc.constant('refund' as const), request, amount }),
  fc.record({
    op: fc.constant('adjust' as const),
    amount: fc.integer({ min: -1_000, max: 1_000 }).filter((n) => n !== 0),
  }),
  fc.constant({ op: 'expire' as const }),
  fc.record({ op: fc.constant('repeat' as const), back: fc.integer({ min: 1, max: 5 }) }),
);

/** Refusals an operator's step may meet: a refund above the charge, a debit above what is available. */
const EXPECTED_REFUSALS: ReadonlySet<string> = new Set([
  ErrorCode.InvalidRequest,
  ErrorCode.NotFound,
  ErrorCode.InsufficientCredits,
]);

describe.each([
  ['memory', () => new MemoryBalanceStore()],
  ['redis', () => new RedisBalanceStore(redis)],
])(
  'credits in any order and duplication, against Postgres and the %s store',
  (_name, createStore: () => BalanceStore) => {
    const store = createStore();
    const ledger = new LedgerRepository(db);
    const applier = new LedgerApplier(ledger, store);
    const grants = new GrantsRepository(db);
    const budgets = new BudgetsService(
      new BudgetDefinitions(new BudgetRepository(db)),
      new BudgetRepository(db),
      new MemoryBudgetStore(),
      clock,
    );
    const overruns = { count: () => undefined, audit: async () => undefined } as unknown as OverrunReporter;
    const alerts = { check: async () => undefined } as unknown as BudgetAlerts;
    const plans = new PlansService(
      new BudgetDefinitions(new BudgetRepository(db)),
      new PlanRepository(db),
      new MemoryBudgetStore(),
      clock,
    );
    const credits = new CreditsService(
      ledger,
      store,
      overruns,
      budgets,
      alerts,
      clock,
      applier,
      grants,
      plans,
      new UsageRepository(db),
    );
    const operations = new CreditOperations(ledger, grants, applier, store, clock);
    const expiry = new GrantExpiry(ledger, grants, applier, store, clock);

    /** Runs the steps on a fresh account; answers the calls that settled (first delivery's cost). */
    const run = async (account: string, steps: Step[]): Promise<KnownUsage[]> => {
      const requestIds = Array.from({ length: 5 }, () => randomUUID());
      const everHeld = new Set<string>();
      const released = new Set<string>();
      const settled = new Map<string, KnownUsage>();
      /** The steps performed, a repeat as the step it repeated (with that step's index: its keys). */
      const done: Array<{ step: Exclude<Step, { op: 'repeat' }>; index: number }> = [];
      /** A repeated grant sends the same body again: its expiry is fixed when first sent. */
      const expiries = new Map<number, string>();
      const perform = async (current: Exclude<Step, { op: 'repeat' }>, index: number): Promise<void> => {
        const key = `${account}:${index}`;
        switch (current.op) {
          case 'topUp':
            await credits.topUp({ accountId: account, amount: String(current.amount), idempotencyKey: key });
            return;
          case 'grant':
            await operations.grant({
              accountId: account,
              amount: String(current.amount),
              expiresAt: current.expiring ? expiries.get(index) : null,
              reason: 'property',
              idempotencyKey: key,
            });
            return;
          case 'reserve': {
            const requestId = requestIds[current.request];
            const outcome = await store.reserve({
              accountId: account,
              reservationId: requestId,
              amount: BigInt(current.amount),
              expiresAtMs: Date.now() + 3_600_000,
              settlementKey: `charge:${requestId}`,
            });
            if (outcome.status === 'held') everHeld.add(requestId);
            return;
          }
          case 'settle': {
            const requestId = requestIds[current.request];
            // Usage follows a call that held; it may come after its hold was freed (a hold that expired
            // before a late usage event), and is then all overrun.
            if (!everHeld.has(requestId)) return;
            const usage = usageEvent({ requestId, accountId: account, cost: String(current.cost), orgId: 'org-props' });
            await credits.settleAll([usage]);
            if (!settled.has(requestId))
              settled.set(requestId, { requestId, accountId: account, cost: BigInt(current.cost) });
            return;
          }
          case 'release': {
            const requestId = requestIds[current.request];
            if (await store.release(account, requestId)) released.add(requestId);
            return;
          }
          case 'refund':
            await operations.refund({
              accountId: account,
              requestId: requestIds[current.request],
              amount: String(current.amount),
              reason: 'property',
              idempotencyKey: `${key}:refund`,
            });
            return;
          case 'adjust':
            await operations.adjust({
              accountId: account,
              amount: String(current.amount),
              reason: 'property',
              idempotencyKey: key,
            });
            return;
          case 'expire': {
            offsetMs += 2 * GRANT_LIFE_MS;
            const due = await db
              .selectFrom('grants')
              .select(['id', 'account', 'sub_account', 'expires_at'])
              .where('account', '=', account)
              .where('expires_at', '<=', new Date(clock.now()))
              .execute();
            for (const row of due) {
              await expiry.expire({
                id: row.id,
                account: row.account,
                subAccount: row.sub_account,
                expiresAt: row.expires_at,
              });
            }
            return;
          }
        }
      };
      for (const [index, current] of steps.entries()) {
        const resolved = current.op === 'repeat' ? done[done.length - current.back] : { step: current, index };
        if (!resolved) continue;
        try {
          await perform(resolved.step, resolved.index);
        } catch (error) {
          if (!(error instanceof PolymuxException) || !EXPECTED_REFUSALS.has(error.code)) throw error;
        }
        done.push(resolved);
      }
      return [...settled.values()];
    };

    it('keeps every invariant: balanced, never below the floor but by overruns, each call charged once, the store equal to the ledger', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
          const account = `acct-${randomUUID()}`;
          const usages = await run(account, steps);
          const { balance } = await store.balance(account);
          expect(await reconcile(db, { store, accounts: [account], usages })).toEqual([]);
          // The store never answers a spendable balance the ledger does not have.
          const { balance: ledgerTotal } = await ledger.balanceOf(account);
          expect(balance).toBe(ledgerTotal);
        }),
        { numRuns: 40 },
      );
    });
  },
);
