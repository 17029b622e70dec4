import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { CallScopes, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { pollUntil } from '@polymux/testing';

import { BillingModule } from '../billing.module';
import { BillingClock } from './billing-clock';

jest.setTimeout(60_000);

// PGlite loads Node built-ins with import(), which Jest's module sandbox refuses without
// --experimental-vm-modules: load it with Node's own loader, outside the sandbox.
jest.mock('@electric-sql/pglite', () =>
  jest
    .requireActual<{ _load: (request: string, parent: null, isMain: boolean) => unknown }>('node:module')
    ._load(require.resolve('@electric-sql/pglite'), null, false),
);

const USD = 1_000_000_000n;
const dataDir = mkdtempSync(join(tmpdir(), 'polymux-budgets-'));
const start = () =>
  startService(
    { name: 'polymux', modules: [BillingModule], httpPort: () => 0 },
    { POLYMUX_MODE: 'embedded', POLYMUX_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
  );

let service: RunningService;
let client: MessagingClient;
let clock: jest.SpyInstance<number, []>;

const startWithClock = async () => {
  service = await start();
  client = service.app.get(MessagingClient);
  clock = jest.spyOn(service.app.get(BillingClock), 'now').mockReturnValue(Date.UTC(2025, 5, 10, 12));
};

beforeAll(startWithClock);

afterAll(async () => {
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const scopes: CallScopes = { orgId: randomUUID(), teamId: null, projectId: randomUUID(), keyId: randomUUID() };
const accountId = `project:${scopes.projectId}`;
const reserve = (amount: bigint, requestId: string = randomUUID()) =>
  client.request(Subjects.reserve, { accountId, amount: amount.toString(), ttlSeconds: 60, scopes }, { requestId });
const stateOf = async (budgetId: string) => (await client.request(Subjects.budgets, { budgetId })).budgets[0]!.state;
const usage = (requestId: string, cost: bigint): UsageRecorded => ({
  requestId,
  accountId,
  reservationId: requestId,
  ...scopes,
  requestedModel: 'auto',
  model: 'gpt-test',
  deploymentId: 'sim/gpt-test',
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

describe('budgets in the embedded mode (PGlite, memory counters, in-process bus)', () => {
  let budgetId: string;

  it('never overspends a hard budget under 1,000 concurrent reservations', async () => {
    await client.request(Subjects.topUp, { accountId, amount: `${1_000n * USD}`, idempotencyKey: randomUUID() });
    const { budget } = await client.request(Subjects.createBudget, {
      orgId: scopes.orgId,
      scope: 'project',
      scopeId: scopes.projectId,
      period: 'daily',
      timezone: 'America/New_York',
      amount: `${100n * USD}`,
      hardLimit: `${100n * USD}`,
      thresholds: [80],
    });
    budgetId = budget.id;
    const outcomes = await Promise.allSettled(Array.from({ length: 1_000 }, () => reserve(USD)));
    const held = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(held).toHaveLength(100);
    for (const reason of refused) expect(reason).toMatchObject({ code: ErrorCode.BudgetExceeded });
    expect(await stateOf(budgetId)).toMatchObject({ held: `${100n * USD}`, spent: '0' });
    const balance = await client.request(Subjects.balance, { accountId });
    expect(balance.reserved).toBe(`${100n * USD}`);
    for (const hold of held)
      await client.request(Subjects.release, { accountId, reservationId: hold.reservationId, orgId: scopes.orgId });
    expect(await stateOf(budgetId)).toMatchObject({ held: '0' });
  });

  it('settles into the period, starts the next one fresh, and keeps the spend across a restart', async () => {
    const requestId = randomUUID();
    await reserve(90n * USD, requestId);
    await client.emit(Subjects.usageRecorded, usage(requestId, 60n * USD), { messageId: requestId, requestId });
    await pollUntil(
      () => stateOf(budgetId),
      (state) => state.spent === `${60n * USD}`,
    );
    await expect(reserve(40n * USD + 1n)).rejects.toMatchObject({ code: ErrorCode.BudgetExceeded });

    await service.close();
    await startWithClock();
    // Memory counters are gone with the process: hydrated from PGlite's recorded spend.
    expect(await stateOf(budgetId)).toMatchObject({
      spent: `${60n * USD}`,
      held: '0',
      periodStart: '2025-06-10T04:00:00.000Z',
    });
    await expect(reserve(40n * USD + 1n)).rejects.toMatchObject({ code: ErrorCode.BudgetExceeded });

    // Midnight in New York: a fresh day.
    clock.mockReturnValue(Date.UTC(2025, 5, 11, 4));
    expect(await stateOf(budgetId)).toMatchObject({ spent: '0', periodStart: '2025-06-11T04:00:00.000Z' });
    await expect(reserve(100n * USD)).resolves.toMatchObject({ amount: `${100n * USD}` });
  });
});
