import { randomUUID } from 'node:crypto';

import type { Pricing, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Subjects, callCost } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import { BillingModule } from '../billing.module';
import { ledgerKeys } from '../ledger/postings';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';

jest.setTimeout(30_000);

/*
 * Usage rows on the real path: usage events over JetStream, settled by billing into Postgres (the
 * charge and its usage row in one transaction), then read back through `billing.usage.*.v1`.
 */
const namespace = `it_usage_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);
let billing: RunningService;
let client: MessagingClient;
let db: Kysely<DB>;

beforeAll(async () => {
  billing = await startService({ name: 'billing', modules: [BillingModule] }, env);
  client = billing.app.get(MessagingClient);
  db = billing.app.get<symbol, Kysely<DB>>(BILLING_DB);
});

afterAll(async () => {
  await billing.close();
  const redis = new Redis(env.REDIS_URL);
  const keys = await redis.keys(`${namespace}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

const orgId = `org-${randomUUID()}`;
const accountId = `acct-${randomUUID()}`;

const usage = (index: number, changes: Partial<UsageRecorded> = {}): UsageRecorded => ({
  requestId: `req_${orgId}_${index}`,
  accountId,
  reservationId: `res_${index}`,
  orgId,
  teamId: index % 2 === 0 ? 'team-a' : null,
  projectId: 'project-1',
  keyId: 'key-1',
  requestedModel: 'auto',
  model: index % 3 === 0 ? 'model-b' : 'model-a',
  deploymentId: index % 3 === 0 ? 'sim/model-b' : 'sim/model-a',
  provider: 'openai',
  task: 'chat',
  api: 'chat.completions',
  inputTokens: 100 + index,
  cachedInputTokens: 10,
  cacheWriteTokens: 5,
  outputTokens: 20 + index,
  reasoningTokens: 3,
  cost: String(1_000 * (index + 1)),
  userId: null,
  tags: index % 2 === 0 ? { env: 'prod', feature: 'search' } : { env: 'dev' },
  sessionId: `sess-${index % 2}`,
  outcome: 'success',
  stream: index % 2 === 1,
  attempts: [{ deploymentId: 'sim/model-a', outcome: 'success' }],
  durationMs: 42.4,
  // Hours 10:00, 10:30, 11:00, …: two calls per hour.
  occurredAt: new Date(Date.UTC(2026, 0, 5, 10) + index * 30 * 60_000).toISOString(),
  ...changes,
});

const CALLS = Array.from({ length: 6 }, (_, index) => usage(index));
const emit = (event: UsageRecorded, messageId = event.requestId) =>
  client.emit(Subjects.usageRecorded, event, { messageId, requestId: event.requestId });
const rowCount = async () =>
  Number(
    (
      await db
        .selectFrom('usage')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow()
    ).count,
  );
const report = (query: Partial<Parameters<typeof client.request<typeof Subjects.usageReport>>[1]> = {}) =>
  client.request(Subjects.usageReport, { orgId, groupBy: [], timezone: 'UTC', limit: 100, ...query });

beforeAll(async () => {
  for (const call of CALLS) await emit(call);
  await pollUntil(rowCount, (count) => count === CALLS.length, { timeoutMs: 15_000 });
});

describe('usage rows and reports (billing over NATS, Postgres)', () => {
  it('writes one row per charged call in the same Postgres transaction as its charge', async () => {
    const call = CALLS[1]!;
    const row = await db
      .selectFrom('usage')
      .selectAll()
      .where('request_id', '=', call.requestId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      org_id: orgId,
      team_id: null,
      user_id: null,
      model: 'model-a',
      deployment_id: 'sim/model-a',
      tags: { env: 'dev' },
      session_id: 'sess-1',
      parent_request_id: null,
      stream: true,
      duration_ms: 42,
      occurred_at: new Date(call.occurredAt),
    });
    expect(
      [row.input_tokens, row.cached_input_tokens, row.cache_write_tokens, row.output_tokens, row.reasoning_tokens].map(
        Number,
      ),
    ).toEqual([101, 10, 5, 21, 3]);
    expect([row.list_cost, row.discount, row.charged].map(String)).toEqual(['2000', '0', '2000']);
    // xmin: the Postgres transaction that inserted a row; the charge's and the usage row's are one.
    const { rows } = await sql<{ usage: string; charge: string }>`
      select (select xmin::text from billing.usage where request_id = ${call.requestId}) as usage,
             (select xmin::text from billing.transactions where idempotency_key = ${ledgerKeys.charge(call.requestId)}) as charge`.execute(
      db,
    );
    expect(rows[0]!.usage).toBe(rows[0]!.charge);
  });

  it('writes no second row for a redelivered usage event', async () => {
    await emit(CALLS[0]!, `${CALLS[0]!.requestId}-again`);
    // Settled after the redelivery: another org's call, so this org's totals stay the six calls'.
    const marker = usage(99, {
      requestId: `req_${orgId}_marker`,
      orgId: `${orgId}-marker`,
      accountId: `${accountId}-m`,
    });
    await emit(marker);
    await pollUntil(
      () => db.selectFrom('usage').select('request_id').where('request_id', '=', marker.requestId).execute(),
      (rows) => rows.length === 1,
      { timeoutMs: 15_000 },
    );
    expect(await rowCount()).toBe(CALLS.length);
  });

  it('settles a call whose time is unreadable, its row dated when it was recorded', async () => {
    const odd = usage(98, {
      requestId: `req_${orgId}_odd`,
      orgId: `${orgId}-odd`,
      accountId: `${accountId}-odd`,
      occurredAt: 'not a time',
    });
    await emit(odd);
    const row = await pollUntil(
      () => db.selectFrom('usage').selectAll().where('request_id', '=', odd.requestId).executeTakeFirst(),
      (found) => found !== undefined,
      { timeoutMs: 15_000 },
    );
    expect(Math.abs(row!.occurred_at.getTime() - row!.recorded_at.getTime())).toBeLessThan(1_000);
    const charge = await db
      .selectFrom('transactions')
      .select('id')
      .where('idempotency_key', '=', ledgerKeys.charge(odd.requestId))
      .execute();
    expect(charge).toHaveLength(1);
  });

  it('totals the org: sums equal to the ledger charges of its calls', async () => {
    const { groups, nextCursor } = await report();
    const charged = await db
      .selectFrom('entries')
      .innerJoin('transactions', 'transactions.id', 'entries.transaction_id')
      .select((eb) => eb.fn.sum<string>('entries.amount').as('sum'))
      .where('entries.account', '=', accountId)
      // Settled without holds here, so all of each call's charge is its overrun.
      .where('transactions.kind', 'in', ['charge', 'overrun'])
      .executeTakeFirstOrThrow();
    expect(groups).toEqual([
      {
        bucket: null,
        group: {},
        calls: 6,
        inputTokens: 615,
        cachedInputTokens: 60,
        cacheWriteTokens: 30,
        outputTokens: 135,
        reasoningTokens: 18,
        listCost: '21000',
        discount: '0',
        charged: '21000',
      },
    ]);
    expect(String(-BigInt(charged.sum))).toBe('21000');
    expect(nextCursor).toBeNull();
  });

  it('groups by hour bucket, model and a tag, a missing tag or team as null', async () => {
    const { groups } = await report({ groupBy: ['model', 'tag:feature', 'team'], bucket: 'hour' });
    expect(groups.map(({ bucket, group, calls, charged }) => ({ bucket, group, calls, charged }))).toEqual([
      {
        bucket: '2026-01-05T10:00:00.000Z',
        group: { model: 'model-a', 'tag:feature': null, team: null },
        calls: 1,
        charged: '2000',
      },
      {
        bucket: '2026-01-05T10:00:00.000Z',
        group: { model: 'model-b', 'tag:feature': 'search', team: 'team-a' },
        calls: 1,
        charged: '1000',
      },
      {
        bucket: '2026-01-05T11:00:00.000Z',
        group: { model: 'model-a', 'tag:feature': 'search', team: 'team-a' },
        calls: 1,
        charged: '3000',
      },
      {
        bucket: '2026-01-05T11:00:00.000Z',
        group: { model: 'model-b', 'tag:feature': null, team: null },
        calls: 1,
        charged: '4000',
      },
      {
        bucket: '2026-01-05T12:00:00.000Z',
        group: { model: 'model-a', 'tag:feature': null, team: null },
        calls: 1,
        charged: '6000',
      },
      {
        bucket: '2026-01-05T12:00:00.000Z',
        group: { model: 'model-a', 'tag:feature': 'search', team: 'team-a' },
        calls: 1,
        charged: '5000',
      },
    ]);
  });

  it('buckets days in the query time zone', async () => {
    const { groups } = await report({ bucket: 'day', timezone: 'Pacific/Kiritimati', from: '2026-01-05T00:00:00Z' });
    // UTC+14: 10:00Z is 00:00 the next day, so every call falls on 6 January there.
    expect(groups.map(({ bucket, calls }) => ({ bucket, calls }))).toEqual([
      { bucket: '2026-01-05T10:00:00.000Z', calls: 6 },
    ]);
  });

  it('pages grouped rows with the cursor until every group is read once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await report({ groupBy: ['session', 'model'], limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...page.groups.map(({ group }) => `${group.session}/${group.model}`));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(['sess-0/model-a', 'sess-0/model-b', 'sess-1/model-a', 'sess-1/model-b']);
    await expect(report({ groupBy: ['model'], cursor: 'bogus' })).rejects.toMatchObject({
      code: ErrorCode.InvalidRequest,
    });
  });

  it('filters by tags, dimension values and time range', async () => {
    expect((await report({ tags: { env: 'prod', feature: 'search' } })).groups[0]).toMatchObject({
      calls: 3,
      charged: '9000',
    });
    expect((await report({ tags: { env: 'dev' }, model: 'model-b' })).groups[0]).toMatchObject({
      calls: 1,
      charged: '4000',
    });
    const range = await report({ from: '2026-01-05T10:30:00Z', to: '2026-01-05T12:00:00Z' });
    expect(range.groups[0]).toMatchObject({ calls: 3, charged: '9000' });
    expect((await report({ orgId: 'org-none' })).groups[0]).toMatchObject({ calls: 0, charged: '0' });
  });

  it('lists the calls newest first, paged', async () => {
    const first = await client.request(Subjects.usageCalls, { orgId, limit: 4 });
    expect(first.calls.map((call) => call.requestId)).toEqual([5, 4, 3, 2].map((index) => CALLS[index]!.requestId));
    const second = await client.request(Subjects.usageCalls, { orgId, limit: 4, cursor: first.nextCursor! });
    expect(second.calls.map((call) => call.requestId)).toEqual([1, 0].map((index) => CALLS[index]!.requestId));
    expect(second.nextCursor).toBeNull();
    expect(second.calls[0]).toMatchObject({
      tags: { env: 'dev' },
      sessionId: 'sess-1',
      charged: '2000',
      occurredAt: CALLS[1]!.occurredAt,
    });
    const filtered = await client.request(Subjects.usageCalls, {
      orgId,
      limit: 10,
      sessionId: 'sess-0',
      tags: { feature: 'search' },
    });
    expect(filtered.calls.map((call) => call.requestId)).toEqual([4, 2, 0].map((index) => CALLS[index]!.requestId));
  });
});

describe('the reference cost of a report (the routing saving)', () => {
  const refOrg = `${orgId}-ref`;
  // Odd nano-USD prices, so that every call's rounding up shows; a long-context tier above 102 tokens.
  const pricing: Pricing = {
    inputPerMTok: '3000000007',
    outputPerMTok: '15000000011',
    cachedInputPerMTok: '300000001',
    cacheWritePerMTok: '3750000003',
    perRequest: '17',
    tiers: [{ aboveInputTokens: 102, inputPerMTok: '6000000013', outputPerMTok: '22500000019' }],
  };
  const call = (index: number, changes: Partial<UsageRecorded>): UsageRecorded =>
    usage(index, { requestId: `req_${refOrg}_${index}`, orgId: refOrg, accountId: `${accountId}-ref`, ...changes });
  const tokens = { cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const calls = [
    // (85 × 3000000007 + 10 × 300000001 + 5 × 3750000003 + 20 × 15000000011) / 1e6 = 576750.00084 → 576751, + 17.
    call(0, { inputTokens: 100, cachedInputTokens: 10, cacheWriteTokens: 5, outputTokens: 20, reasoningTokens: 3 }),
    // Above the tier: (200 × 6000000013 + 10 × 22500000019) / 1e6 = 1425000.00279 → 1425001, + 17.
    call(1, { ...tokens, inputTokens: 200, outputTokens: 10 }),
    // Embeddings keep their own list cost.
    call(2, { ...tokens, api: 'embeddings', task: 'embeddings', inputTokens: 50, outputTokens: 0, cost: '1234' }),
    // Counts a provider reported inconsistently are capped as callCost caps them: 10 cached, 4 reasoning.
    // (10 × 300000001 + 4 × 15000000011) / 1e6 = 63000.000054 → 63001, + 17.
    call(3, { inputTokens: 10, cachedInputTokens: 50, cacheWriteTokens: 5, outputTokens: 4, reasoningTokens: 9 }),
  ];
  const expected = { 'chat.completions': 576_768n + 1_425_018n + 63_018n, embeddings: 1_234n };

  beforeAll(async () => {
    for (const event of calls) await emit(event);
    await pollUntil(
      () => db.selectFrom('usage').select('request_id').where('org_id', '=', refOrg).execute(),
      (rows) => rows.length === calls.length,
      { timeoutMs: 15_000 },
    );
  });

  it('prices each call on the reference as callCost does, rounded up per call, in integer nano-USD', async () => {
    const { groups } = await report({ orgId: refOrg, groupBy: ['api'], reference: { pricing } });
    expect(groups.map(({ group, calls: count, referenceCost }) => [group.api, count, referenceCost])).toEqual([
      ['chat.completions', 3, String(expected['chat.completions'])],
      ['embeddings', 1, String(expected.embeddings)],
    ]);
    const chat = calls.filter((event) => event.api !== 'embeddings');
    expect(chat.reduce((sum, event) => sum + callCost(pricing, event), 0n)).toBe(expected['chat.completions']);
    const [total] = (await report({ orgId: refOrg, reference: { pricing } })).groups;
    expect(total!.referenceCost).toBe(String(expected['chat.completions'] + expected.embeddings));
  });

  it('leaves the reference cost out of a report that names no reference, and totals an empty range as 0', async () => {
    expect((await report({ orgId: refOrg })).groups[0]).not.toHaveProperty('referenceCost');
    const empty = await report({ orgId: refOrg, to: '2020-01-01T00:00:00Z', reference: { pricing } });
    expect(empty.groups[0]).toMatchObject({ calls: 0, referenceCost: '0' });
  });
});
