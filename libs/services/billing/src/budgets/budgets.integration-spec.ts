import { randomUUID } from 'node:crypto';

import type { AuditRecorded, Budget, BudgetThresholdCrossed, CallScopes, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil, usageEvent } from '@polymux/testing';
import { Redis } from 'ioredis';
import { connect } from 'nats';

import { BillingModule } from '../billing.module';
import { CreditsService } from '../credits.service';
import { ReservationsService } from '../reservations.service';
import { BillingClock } from './billing-clock';
import { BudgetAdmin } from './budget-admin.service';

jest.setTimeout(60_000);

const USD = 1_000_000_000n;
const DAY = 24 * 3_600_000;
const namespace = `it_budgets_${randomUUID().slice(0, 8)}`;
const prefix = `${namespace}:`;
const env = isolatedServiceEnv(namespace);

// Two replicas in one queue group: requests and usage events reach either one.
let replicas: RunningService[];
let client: MessagingClient;
let settleSpies: Array<jest.SpyInstance<Promise<void>, [UsageRecorded[]]>>;
/** Both replicas' clocks, moved together by `at`. */
let clocks: Array<jest.SpyInstance<number, []>>;
const at = (ms: number) => clocks.forEach((clock) => clock.mockReturnValue(ms));

beforeAll(async () => {
  replicas = await Promise.all([0, 1].map(() => startService({ name: 'billing', modules: [BillingModule] }, env)));
  client = replicas[0].app.get(MessagingClient);
  settleSpies = replicas.map((replica) => jest.spyOn(replica.app.get(CreditsService), 'settleAll'));
  clocks = replicas.map((replica) => jest.spyOn(replica.app.get(BillingClock), 'now'));
});

beforeEach(() => at(Date.UTC(2025, 5, 10, 12)));

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  const redis = new Redis(env.REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

/** A fresh org with a project and a key, and the project's account topped up. */
const tenant = async (credits = 1_000n * USD) => {
  const scopes: CallScopes = {
    orgId: randomUUID(),
    teamId: randomUUID(),
    projectId: randomUUID(),
    keyId: randomUUID(),
  };
  const accountId = `project:${scopes.projectId}`;
  await client.request(Subjects.topUp, { accountId, amount: credits.toString(), idempotencyKey: randomUUID() });
  return { scopes, accountId };
};
const createBudget = async (
  scopes: CallScopes,
  options: Partial<Parameters<BudgetAdmin['create']>[0]> & Pick<Budget, 'scope' | 'scopeId'>,
) =>
  (
    await client.request(Subjects.createBudget, {
      orgId: scopes.orgId,
      period: 'daily',
      timezone: 'UTC',
      amount: (10n * USD).toString(),
      hardLimit: (10n * USD).toString(),
      thresholds: [50, 80, 100],
      ...options,
    })
  ).budget;
const reserve = (
  { scopes, accountId }: { scopes: CallScopes; accountId: string },
  amount: bigint,
  requestId: string = randomUUID(),
) => client.request(Subjects.reserve, { accountId, amount: amount.toString(), ttlSeconds: 300, scopes }, { requestId });
const budgetById = async (budgetId: string) => (await client.request(Subjects.budgets, { budgetId })).budgets[0]!;
const balanceOf = async (accountId: string) => {
  const answer = await client.request(Subjects.balance, { accountId });
  return { balance: BigInt(answer.balance), reserved: BigInt(answer.reserved) };
};
const usage = (
  { scopes, accountId }: { scopes: CallScopes; accountId: string },
  requestId: string,
  cost: bigint,
): UsageRecorded => usageEvent({ requestId, accountId, ...scopes, cost: cost.toString() });
/** The durable events JetStream holds on one subject of this file's namespace whose payload names `needle`. */
const streamed = async <T>(stream: string, subject: string, needle: string): Promise<T[]> => {
  const nats = await connect({ servers: env.NATS_URL });
  try {
    const manager = await nats.jetstreamManager();
    const name = `${namespace.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_${stream}`;
    const { state } = await manager.streams.info(name);
    const found: T[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const message = await manager.streams.getMessage(name, { seq }).catch(() => undefined);
      if (!message || message.subject !== `${namespace}.${subject}`) continue;
      if (Buffer.from(message.data).toString().includes(needle)) found.push(message.json<T>());
    }
    return found;
  } finally {
    await nats.close();
  }
};
/** Publishes usage events and waits until the replicas handled every one of them. */
const settle = async (events: UsageRecorded[], messageSuffix = '') => {
  const seen = () =>
    settleSpies.flatMap((spy) =>
      spy.mock.calls.flatMap(([batch], index) =>
        batch
          .filter((event) => events.some((sent) => sent.requestId === event.requestId))
          .map(() => spy.mock.results[index]),
      ),
    );
  const before = seen().length;
  await Promise.all(
    events.map((event) =>
      client.emit(Subjects.usageRecorded, event, {
        messageId: `${event.requestId}${messageSuffix}`,
        requestId: event.requestId,
      }),
    ),
  );
  await pollUntil(
    () => seen().length,
    (count) => count >= before + events.length,
  );
  await Promise.all(seen().map((result) => result.value));
};

describe('budgets over NATS, across two billing replicas', () => {
  it('refuses a reservation past a hard budget before the call, and holds nothing for it', async () => {
    const call = await tenant();
    const budget = await createBudget(call.scopes, { scope: 'key', scopeId: call.scopes.keyId });
    expect(budget).toMatchObject({ scope: 'key', period: 'daily', timezone: 'UTC', hardLimit: `${10n * USD}` });
    expect(budget.state).toEqual({
      periodStart: '2025-06-10T00:00:00.000Z',
      periodEnd: '2025-06-11T00:00:00.000Z',
      spent: '0',
      held: '0',
      alertedPercent: 0,
    });
    const first = await reserve(call, 6n * USD);
    expect(first.budgets).toEqual([{ budgetId: budget.id, scope: 'key', amount: `${10n * USD}`, spent: '0' }]);
    const refused = reserve(call, 5n * USD);
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.BudgetExceeded });
    await expect(refused).rejects.toThrow(/daily budget of key .* \$6 of its \$10 hard limit is spent or held/);
    // The refused call's balance hold was given back: only the first call's is held.
    expect(await balanceOf(call.accountId)).toEqual({ balance: 1_000n * USD, reserved: 6n * USD });
    expect((await budgetById(budget.id)).state).toMatchObject({ held: `${6n * USD}`, spent: '0' });
    expect(await reserve(call, 4n * USD)).toMatchObject({ amount: `${4n * USD}` });
  });

  it('never overspends a hard budget under 1,000 concurrent reservations across the replicas', async () => {
    const call = await tenant();
    const budget = await createBudget(call.scopes, {
      scope: 'org',
      scopeId: call.scopes.orgId,
      hardLimit: `${250n * USD}`,
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 1_000 }, () => reserve(call, USD)));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(250);
    expect(refused).toHaveLength(750);
    for (const reason of refused) expect(reason).toMatchObject({ code: ErrorCode.BudgetExceeded });
    expect((await budgetById(budget.id)).state).toMatchObject({ held: `${250n * USD}` });
    expect(await balanceOf(call.accountId)).toEqual({ balance: 1_000n * USD, reserved: 250n * USD });
  });

  it('gives the budget hold back when the balance refuses the call', async () => {
    const call = await tenant(2n * USD);
    const budget = await createBudget(call.scopes, { scope: 'project', scopeId: call.scopes.projectId });
    await expect(reserve(call, 3n * USD)).rejects.toMatchObject({ code: ErrorCode.InsufficientCredits });
    expect((await budgetById(budget.id)).state).toMatchObject({ held: '0', spent: '0' });
  });

  it('moves a settled call from held to spent once, however often its usage is delivered', async () => {
    const call = await tenant();
    const budgets = await Promise.all([
      createBudget(call.scopes, { scope: 'team', scopeId: call.scopes.teamId!, hardLimit: null }),
      createBudget(call.scopes, {
        scope: 'key',
        scopeId: call.scopes.keyId,
        period: 'monthly',
        timezone: 'Asia/Tokyo',
      }),
    ]);
    const requestId = randomUUID();
    await reserve(call, 3n * USD, requestId);
    const event = usage(call, requestId, 1_250_000_000n);
    await settle([event]);
    await settle([event], ':redelivered');
    for (const budget of budgets) {
      expect((await budgetById(budget.id)).state).toMatchObject({ spent: '1250000000', held: '0' });
    }
    expect((await budgetById(budgets[1].id)).state).toMatchObject({
      periodStart: '2025-05-31T15:00:00.000Z',
      periodEnd: '2025-06-30T15:00:00.000Z',
    });
    // Spent 1.25 of the key's 10: 8.75 can be held, not more.
    await expect(reserve(call, 8_750_000_001n)).rejects.toMatchObject({ code: ErrorCode.BudgetExceeded });
    await expect(reserve(call, 8_750_000_000n)).resolves.toMatchObject({
      budgets: expect.arrayContaining([expect.objectContaining({ budgetId: budgets[1].id, spent: '1250000000' })]),
    });
  });

  it('starts a new period fresh, by billing’s clock', async () => {
    const call = await tenant();
    const budget = await createBudget(call.scopes, {
      scope: 'key',
      scopeId: call.scopes.keyId,
      timezone: 'Europe/Berlin',
    });
    at(Date.UTC(2025, 5, 10, 21, 59, 59));
    const requestId = randomUUID();
    await reserve(call, 10n * USD, requestId);
    await settle([usage(call, requestId, 10n * USD)]);
    await expect(reserve(call, 1n)).rejects.toMatchObject({ code: ErrorCode.BudgetExceeded });
    // Midnight in Berlin (22:00 UTC in summer): the day's spend is behind.
    at(Date.UTC(2025, 5, 10, 22));
    expect((await budgetById(budget.id)).state).toMatchObject({
      periodStart: '2025-06-10T22:00:00.000Z',
      spent: '0',
      held: '0',
    });
    await expect(reserve(call, 10n * USD)).resolves.toMatchObject({ amount: `${10n * USD}` });
    at(Date.UTC(2025, 5, 10, 22) + DAY - 1);
    await expect(reserve(call, 1n)).rejects.toMatchObject({ code: ErrorCode.BudgetExceeded });
  });

  it('is enforced by every replica from the moment another one created or changed it', async () => {
    const call = await tenant();
    const [creator, other] = replicas;
    const otherReservations = other.app.get(ReservationsService);
    const reserveOnOther = (amount: bigint) =>
      otherReservations.reserve(
        { accountId: call.accountId, amount: amount.toString(), ttlSeconds: 300, scopes: call.scopes },
        randomUUID(),
      );
    // The other replica has seen this org, without budgets.
    await reserveOnOther(USD);
    const budget = await creator.app.get(BudgetAdmin).create({
      orgId: call.scopes.orgId,
      scope: 'org',
      scopeId: call.scopes.orgId,
      period: 'weekly',
      timezone: 'UTC',
      amount: `${5n * USD}`,
      hardLimit: `${5n * USD}`,
      thresholds: [],
    });
    // The hold of the call before the budget existed is not counted: 5 can still be held.
    await expect(reserveOnOther(6n * USD)).rejects.toMatchObject({ code: ErrorCode.BudgetExceeded });
    await reserveOnOther(5n * USD);
    await creator.app.get(BudgetAdmin).update({ budgetId: budget.id, changes: { hardLimit: `${7n * USD}` } });
    await expect(reserveOnOther(2n * USD)).resolves.toMatchObject({ amount: `${2n * USD}` });
    await creator.app.get(BudgetAdmin).delete({ budgetId: budget.id });
    await expect(reserveOnOther(100n * USD)).resolves.toMatchObject({ amount: `${100n * USD}` });
  });

  it('rebuilds lost counters from Postgres without counting a redelivered charge twice', async () => {
    const call = await tenant();
    const budget = await createBudget(call.scopes, { scope: 'key', scopeId: call.scopes.keyId });
    const requestId = randomUUID();
    await reserve(call, 5n * USD, requestId);
    const event = usage(call, requestId, 4n * USD);
    await settle([event]);
    const redis = new Redis(env.REDIS_URL, { keyPrefix: prefix });
    const wiped = await redis.keys(`${prefix}billing:{budgets:${call.scopes.orgId}}:*`);
    expect(wiped.length).toBeGreaterThan(0);
    await redis.unlink(...wiped.map((key) => key.slice(prefix.length)));
    await redis.quit();
    // The next reservation finds the org unknown, hydrates it from the period's recorded spend.
    await expect(reserve(call, 6_000_000_001n)).rejects.toMatchObject({ code: ErrorCode.BudgetExceeded });
    await settle([event], ':after-wipe');
    expect((await budgetById(budget.id)).state).toMatchObject({ spent: `${4n * USD}`, held: '0' });
    await expect(reserve(call, 6n * USD)).resolves.toMatchObject({ amount: `${6n * USD}` });
  });

  it('refuses a second budget for the same scope and period, and answers unknown budgets as not found', async () => {
    const call = await tenant();
    await createBudget(call.scopes, { scope: 'project', scopeId: call.scopes.projectId });
    await expect(createBudget(call.scopes, { scope: 'project', scopeId: call.scopes.projectId })).rejects.toMatchObject(
      {
        code: ErrorCode.Conflict,
        message: expect.stringContaining('already has a daily budget'),
      },
    );
    await expect(
      createBudget(call.scopes, { scope: 'project', scopeId: call.scopes.projectId, period: 'weekly' }),
    ).resolves.toMatchObject({ period: 'weekly' });
    await expect(client.request(Subjects.budgets, { budgetId: randomUUID() })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await expect(
      client.request(Subjects.updateBudget, { budgetId: 'not-a-uuid', changes: { amount: '5' } }),
    ).rejects.toMatchObject({ code: ErrorCode.NotFound });
    const listed = await client.request(Subjects.budgets, { orgId: call.scopes.orgId });
    expect(listed.budgets.map((budget) => budget.period).sort()).toEqual(['daily', 'weekly']);
  });

  it('alerts each soft threshold once per period, durably and audited, redeliveries included', async () => {
    const call = await tenant();
    const budget = await createBudget(call.scopes, {
      scope: 'project',
      scopeId: call.scopes.projectId,
      hardLimit: null,
      thresholds: [80, 50, 100],
    });
    const emits = replicas.map((replica) => jest.spyOn(replica.app.get(MessagingClient), 'emit'));
    let fifty: UsageRecorded | undefined;
    let emitted: BudgetThresholdCrossed[] = [];
    /** What either replica published, in the order it was published. */
    const alertsEmitted = () =>
      emits
        .flatMap((spy) => spy.mock.calls.map((call, index) => ({ call, order: spy.mock.invocationCallOrder[index]! })))
        .sort((a, b) => a.order - b.order)
        .filter(({ call: [contract] }) => contract === Subjects.budgetThresholdCrossed)
        .map(({ call: [, payload] }) => payload as BudgetThresholdCrossed)
        .filter((alert) => alert.budgetId === budget.id);
    const spend = async (cost: bigint) => {
      const requestId = randomUUID();
      await reserve(call, cost, requestId);
      const event = usage(call, requestId, cost);
      await settle([event]);
      return event;
    };
    try {
      await spend(4n * USD);
      expect(alertsEmitted()).toEqual([]);
      fifty = await spend(USD);
      expect(alertsEmitted().map((alert) => alert.thresholdPercent)).toEqual([50]);
      const eighty = await spend(4n * USD);
      await settle([eighty], ':redelivered');
      expect(alertsEmitted().map((alert) => alert.thresholdPercent)).toEqual([50, 80]);
      await spend(2n * USD);
      expect(alertsEmitted().map((alert) => alert.thresholdPercent)).toEqual([50, 80, 100]);
      expect((await budgetById(budget.id)).state).toMatchObject({ spent: `${11n * USD}`, alertedPercent: 100 });
      const [first] = alertsEmitted();
      expect(first).toEqual({
        id: `${budget.id}:${Date.UTC(2025, 5, 10)}:50`,
        budgetId: budget.id,
        orgId: call.scopes.orgId,
        scope: 'project',
        scopeId: call.scopes.projectId,
        period: 'daily',
        timezone: 'UTC',
        periodStart: '2025-06-10T00:00:00.000Z',
        periodEnd: '2025-06-11T00:00:00.000Z',
        thresholdPercent: 50,
        amount: `${10n * USD}`,
        hardLimit: null,
        spent: `${5n * USD}`,
        requestId: fifty!.requestId,
        occurredAt: '2025-06-10T12:00:00.000Z',
      });

      // The next day starts with no threshold alerted.
      at(Date.UTC(2025, 5, 11, 1));
      await spend(6n * USD);
      expect(alertsEmitted().map((alert) => [alert.periodStart, alert.thresholdPercent])).toEqual([
        ['2025-06-10T00:00:00.000Z', 50],
        ['2025-06-10T00:00:00.000Z', 80],
        ['2025-06-10T00:00:00.000Z', 100],
        ['2025-06-11T00:00:00.000Z', 50],
      ]);
      emitted = alertsEmitted();
    } finally {
      emits.forEach((spy) => spy.mockRestore());
    }
    const durable = await streamed<BudgetThresholdCrossed>(
      'BUDGETS',
      Subjects.budgetThresholdCrossed.subject,
      budget.id,
    );
    expect(durable.map((alert) => alert.id).sort()).toEqual(emitted.map((alert) => alert.id).sort());
    const audited = await streamed<AuditRecorded>('AUDIT', Subjects.auditRecorded.subject, fifty!.requestId);
    expect(audited).toContainEqual(
      expect.objectContaining({
        action: 'billing.budget.threshold_crossed',
        requestId: fifty!.requestId,
        target: `budget:${budget.id}`,
        metadata: expect.objectContaining({ thresholdPercent: 50, spentNanoUsd: `${5n * USD}` }),
      }),
    );
  });

  it('publishes an alert whose first publish failed when the settlement is delivered again', async () => {
    const call = await tenant();
    const budget = await createBudget(call.scopes, { scope: 'key', scopeId: call.scopes.keyId, thresholds: [50] });
    const requestId = randomUUID();
    await reserve(call, 6n * USD, requestId);
    const event = usage(call, requestId, 6n * USD);
    const credits = replicas[0].app.get(CreditsService);
    const messaging = replicas[0].app.get(MessagingClient);
    const emit = messaging.emit.bind(messaging);
    const published: string[] = [];
    const failing = jest.spyOn(messaging, 'emit').mockImplementation(async (contract, payload, options) => {
      if (contract === Subjects.budgetThresholdCrossed) {
        if (published.length === 0) {
          published.push('failed');
          throw new Error('JetStream unavailable');
        }
        published.push((payload as BudgetThresholdCrossed).id);
      }
      return emit(contract, payload, options);
    });
    try {
      await expect(credits.settleAll([event])).rejects.toThrow('JetStream unavailable');
      // Charged and counted already; the alert is still owed.
      expect((await budgetById(budget.id)).state).toMatchObject({ spent: `${6n * USD}`, alertedPercent: 0 });
      await credits.settleAll([event]);
      await credits.settleAll([event]);
    } finally {
      failing.mockRestore();
    }
    expect(published).toEqual(['failed', `${budget.id}:${Date.UTC(2025, 5, 10)}:50`]);
    expect((await budgetById(budget.id)).state).toMatchObject({ spent: `${6n * USD}`, alertedPercent: 50 });
  });
});
