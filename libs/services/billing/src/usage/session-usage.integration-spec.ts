import { randomUUID } from 'node:crypto';

import type { UsageRecorded } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil, usageEvent } from '@polymux/testing';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';

import { BillingModule } from '../billing.module';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';

jest.setTimeout(30_000);

/*
 * A session's calls on the real path: usage events over JetStream, settled by billing into
 * Postgres, then read back through `billing.usage.session.query.v1`, ordered by when each started.
 */
const namespace = `it_session_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);
let billing: RunningService;
let client: MessagingClient;
let db: Kysely<DB>;

const unique = randomUUID().slice(0, 8);
const orgA = `org-a-${unique}`;
const orgB = `org-b-${unique}`;
const session = `run-${unique}`;
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, seconds)).toISOString();

/** A call of org A's session that ended at `endedAt` seconds after 10:00 and took `durationMs`. */
const call = (index: number, endedAt: number, durationMs: number, fields: Partial<UsageRecorded> = {}) =>
  usageEvent({
    requestId: `req_${unique}_${index}`,
    accountId: `acct-a-${unique}`,
    cost: String(1_000 * (index + 1)),
    orgId: orgA,
    sessionId: session,
    durationMs,
    occurredAt: at(endedAt),
    ...fields,
  });

// The root began at 10:00:00, its two children after it; the second child (began 10:00:05) ended before the first.
const CALLS = [
  call(0, 3, 3_000),
  call(1, 20, 16_000, { parentRequestId: `req_${unique}_0` }),
  call(2, 9, 4_000, { parentRequestId: `req_${unique}_0`, outcome: 'cancelled' }),
];
/** The same session id used by another org, and a session only org A has. */
const OTHER_ORG = call(3, 30, 1_000, { orgId: orgB, accountId: `acct-b-${unique}` });
const LONE = call(4, 40, 500, { sessionId: `lone-${unique}` });
const ALL = [...CALLS, OTHER_ORG, LONE];

const query = (fields: { orgId?: string; sessionId?: string; limit?: number } = {}) =>
  client.request(Subjects.usageSession, { sessionId: session, limit: 100, ...fields });

beforeAll(async () => {
  billing = await startService({ name: 'billing', modules: [BillingModule] }, env);
  client = billing.app.get(MessagingClient);
  db = billing.app.get<symbol, Kysely<DB>>(BILLING_DB);
  for (const event of ALL) await client.emit(Subjects.usageRecorded, event, { messageId: event.requestId });
  const ids = ALL.map((event) => event.requestId);
  await pollUntil(
    () => db.selectFrom('usage').select('request_id').where('request_id', 'in', ids).execute(),
    (rows) => rows.length === ids.length,
    { timeoutMs: 15_000 },
  );
});

afterAll(async () => {
  await billing.close();
  const redis = new Redis(env.REDIS_URL);
  const keys = await redis.keys(`${namespace}:*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

describe('a session’s usage (billing over NATS, Postgres)', () => {
  it('lists one org’s calls by when each started, with totals over all of them', async () => {
    const { session: found } = await query({ orgId: orgA });
    expect(found?.orgId).toBe(orgA);
    expect(found?.calls.map((row) => [row.requestId, row.startedAt, row.parentRequestId, row.outcome])).toEqual([
      [CALLS[0]!.requestId, at(0), null, 'success'],
      [CALLS[1]!.requestId, at(4), CALLS[0]!.requestId, 'success'],
      [CALLS[2]!.requestId, at(5), CALLS[0]!.requestId, 'cancelled'],
    ]);
    expect(found?.totals).toEqual({
      calls: 3,
      inputTokens: 30,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 60,
      reasoningTokens: 0,
      listCost: '6000',
      discount: '0',
      charged: '6000',
      latencyMs: 23_000,
      startedAt: at(0),
      endedAt: at(20),
    });
    expect(found?.truncated).toBe(false);
  });

  it('lists the first calls only past the limit, its totals still every call’s', async () => {
    const { session: found } = await query({ orgId: orgA, limit: 2 });
    expect(found?.calls.map((row) => row.requestId)).toEqual([CALLS[0]!.requestId, CALLS[1]!.requestId]);
    expect(found?.totals).toMatchObject({ calls: 3, charged: '6000' });
    expect(found?.truncated).toBe(true);
  });

  it('finds a session without its org when only one org uses its id, and refuses an id two orgs use', async () => {
    const { session: lone } = await query({ sessionId: LONE.sessionId });
    expect(lone).toMatchObject({ orgId: orgA, totals: { calls: 1, latencyMs: 500 } });
    await expect(query()).rejects.toMatchObject({ code: ErrorCode.InvalidRequest, details: { param: 'orgId' } });
    expect((await query({ orgId: orgB })).session?.calls.map((row) => row.requestId)).toEqual([OTHER_ORG.requestId]);
  });

  it('answers no session for an id no charged call carries, or another org’s', async () => {
    expect(await query({ sessionId: `none-${unique}` })).toEqual({ session: null });
    expect(await query({ sessionId: LONE.sessionId, orgId: orgB })).toEqual({ session: null });
  });
});
