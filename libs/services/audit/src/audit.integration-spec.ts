import { randomUUID } from 'node:crypto';

import type { AuditRecorded, UsageRecorded } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { Client } from 'pg';

import { AuditModule } from './audit.module';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import type { DB } from './schema/db';
import { AUDIT_DB } from './schema/db';

jest.setTimeout(60_000);

const namespace = `it_audit_${randomUUID().slice(0, 8)}`;
// Subjects, streams, durable consumers and Redis keys of this file only: no other test sees its traffic.
const env = isolatedServiceEnv(namespace);

// Two replicas sharing the durable consumer (one JetStream queue): both append, to per-tenant chains.
let replicas: RunningService[];
let client: MessagingClient;
let db: Kysely<DB>;
let recordSpies: Array<jest.SpyInstance<Promise<void>, [AuditRecorded[]]>>;

const startReplica = () => startService({ name: 'audit', modules: [AuditModule] }, env);

beforeAll(async () => {
  replicas = [await startReplica(), await startReplica()];
  client = replicas[0].app.get(MessagingClient);
  db = replicas[0].app.get<symbol, Kysely<DB>>(AUDIT_DB);
  recordSpies = replicas.map((replica) => jest.spyOn(replica.app.get(AuditService), 'recordAll'));
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

const usage = (orgId: string, index: number): UsageRecorded => ({
  requestId: randomUUID(),
  accountId: 'account-1',
  reservationId: randomUUID(),
  orgId,
  teamId: null,
  projectId: 'project-1',
  keyId: 'key-1',
  requestedModel: 'auto',
  model: 'gpt-test',
  deploymentId: 'sim/gpt-test',
  provider: 'openai',
  task: 'chat',
  api: 'chat.completions',
  inputTokens: 10 + index,
  outputTokens: 5,
  cost: '20000',
  outcome: 'success',
  stream: false,
  attempts: [{ deploymentId: 'sim/gpt-test', outcome: 'success' }],
  durationMs: 12,
  occurredAt: new Date().toISOString(),
});
const fact = (overrides: Partial<AuditRecorded> = {}): AuditRecorded => ({
  id: randomUUID(),
  category: 'call',
  action: 'chat.completions',
  outcome: 'success',
  actorKeyId: 'key-1',
  orgId: `org-${randomUUID()}`,
  projectId: 'project-1',
  requestId: randomUUID(),
  target: 'model:gpt-test',
  metadata: { model: 'gpt-test', inputTokens: 12, stream: false, team: null },
  occurredAt: new Date().toISOString(),
  ...overrides,
});
/** A distinct message id passes JetStream's de-duplication, as a late redelivery would. */
const emit = (event: AuditRecorded, messageId = event.id) => client.emit(Subjects.auditRecorded, event, { messageId });
const query = (filter: { requestId?: string; orgId?: string; limit?: number }) =>
  client.request(Subjects.auditQuery, { limit: 100, ...filter });
const stored = async (event: AuditRecorded) =>
  (await query({ requestId: event.requestId ?? undefined })).records.some((record) => record.id === event.id);
/** Waits until the replicas have finished handling `count` deliveries of the fact (batches count each). */
const handled = async (id: string, count: number) => {
  const calls = () =>
    recordSpies.flatMap((spy) =>
      spy.mock.calls.flatMap(([events], index) =>
        events.filter((event) => event.id === id).map(() => spy.mock.results[index]),
      ),
    );
  await pollUntil(
    () => calls().length,
    (seen) => seen >= count,
  );
  await Promise.all(calls().map((result) => result.value));
};
const chainRows = (orgId: string) =>
  db
    .selectFrom('records')
    .select(['id', 'chain_id', 'chain_pos'])
    .where('org_id', '=', orgId)
    .orderBy('chain_pos')
    .execute();

describe('audit over NATS', () => {
  it('stores a redelivered fact once and answers it with its seq and hash', async () => {
    const event = fact();
    await emit(event);
    await emit(event, `${event.id}:redelivered`);
    await handled(event.id, 2);
    const { records } = await query({ requestId: event.requestId ?? undefined });
    expect(records).toEqual([{ ...event, seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });

  it('chains concurrent appends from two replicas per tenant, each fact once, although every fact arrives twice', async () => {
    const hot = `org-${randomUUID()}`;
    const others = Array.from({ length: 5 }, () => `org-${randomUUID()}`);
    const events = [
      ...Array.from({ length: 60 }, (_, index) => fact({ orgId: hot, metadata: { index } })),
      ...others.flatMap((orgId) => Array.from({ length: 8 }, (_, index) => fact({ orgId, metadata: { index } }))),
      ...Array.from({ length: 6 }, () => fact({ orgId: null })),
    ];
    const before = recordSpies.map((spy) => spy.mock.calls.length);
    const transactions = replicas.map((replica) => jest.spyOn(replica.app.get(AuditRepository), 'withChain'));
    await Promise.all(events.flatMap((event) => [emit(event), emit(event, `${event.id}:again`)]));
    await Promise.all(events.map((event) => handled(event.id, 2)));
    // Both replicas took a share of the one queue.
    recordSpies.forEach((spy, index) => expect(spy.mock.calls.length).toBeGreaterThan(before[index]));
    // Group commit: the hot tenant's 120 deliveries took fewer transactions than it has records.
    const hotTransactions = transactions.flatMap((spy) =>
      spy.mock.calls.filter(([chainId]) => chainId === `org:${hot}`),
    );
    expect(hotTransactions.length).toBeLessThan(60);
    transactions.forEach((spy) => spy.mockRestore());

    const { records } = await query({ orgId: hot, limit: 100 });
    expect(records).toHaveLength(60);
    const seqs = records.map((record) => record.seq);
    expect(seqs).toEqual([...seqs].sort((left, right) => right - left));
    expect(new Set(records.map((record) => record.id))).toEqual(
      new Set(events.filter((event) => event.orgId === hot).map((event) => event.id)),
    );
    expect((await query({ orgId: hot, limit: 5 })).records.map((record) => record.seq)).toEqual(seqs.slice(0, 5));

    // Each tenant's chain holds exactly its facts at positions 1..n, and verifies.
    const audit = replicas[1].app.get(AuditService);
    for (const orgId of [hot, ...others]) {
      const rows = await chainRows(orgId);
      expect(rows.map((row) => row.chain_id)).toEqual(rows.map(() => `org:${orgId}`));
      expect(rows.map((row) => Number(row.chain_pos))).toEqual(rows.map((_, index) => index + 1));
      expect(await audit.verifyOrgChain(orgId)).toEqual({
        chainId: `org:${orgId}`,
        valid: true,
        records: orgId === hot ? 60 : 8,
        head: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
    expect(await audit.verifyOrgChain(null)).toMatchObject({ chainId: 'no-org', valid: true });
  });

  it('takes no cluster-wide lock: a tenant whose chain is locked does not hold up another', async () => {
    const [blockedOrg, freeOrg] = [`org-${randomUUID()}`, `org-${randomUUID()}`];
    const first = fact({ orgId: blockedOrg });
    await emit(first);
    await handled(first.id, 1);

    // Another session holds the blocked tenant's chain head, as a slow appender would.
    const holder = new Client({ connectionString: env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select * from audit.chains where chain_id = $1 for update', [`org:${blockedOrg}`]);
      const waiting = fact({ orgId: blockedOrg });
      const free = fact({ orgId: freeOrg });
      await emit(waiting);
      await emit(free);
      await pollUntil(() => stored(free));
      expect(await stored(waiting)).toBe(false);
      await holder.query('commit');
      await pollUntil(() => stored(waiting));
    } finally {
      await holder.end();
    }
    expect(await replicas[0].app.get(AuditService).verifyOrgChain(blockedOrg)).toMatchObject({
      valid: true,
      records: 2,
    });
  });

  it("accepts billing's overrun facts into the tenant's chain", async () => {
    const orgId = `org-${randomUUID()}`;
    const overrun = fact({
      orgId,
      category: 'call',
      action: 'billing.overrun',
      actorKeyId: null,
      target: 'account:project:p-1',
      metadata: { heldNanoUsd: '1000', chargedNanoUsd: '1500', overrunNanoUsd: '500', model: 'gpt-test' },
    });
    await emit(overrun);
    await handled(overrun.id, 1);
    expect((await query({ orgId })).records).toEqual([
      { ...overrun, seq: expect.any(Number), hash: expect.any(String) },
    ]);
    expect(await replicas[0].app.get(AuditService).verifyOrgChain(orgId)).toMatchObject({ valid: true, records: 1 });
  });

  it('stores a fact holding NUL characters, which Postgres cannot, with U+FFFD, next to its neighbours', async () => {
    const orgId = `org-${randomUUID()}`;
    const odd = fact({ orgId, target: 'model:\u0000x', metadata: { 'key\u0000': 'value\u0000', n: 1 } });
    const neighbours = [fact({ orgId }), fact({ orgId })];
    await Promise.all([odd, ...neighbours].map((event) => emit(event)));
    await Promise.all([odd, ...neighbours].map((event) => handled(event.id, 1)));
    const { records } = await query({ orgId });
    expect(records.find((record) => record.id === odd.id)).toMatchObject({
      target: 'model:\uFFFDx',
      metadata: { 'key\uFFFD': 'value\uFFFD', n: 1 },
    });
    expect(records).toHaveLength(3);
    expect(await replicas[0].app.get(AuditService).verifyOrgChain(orgId)).toMatchObject({ valid: true, records: 3 });
  });

  it('refuses to update, delete or truncate stored records and chain heads', async () => {
    const event = fact();
    await emit(event);
    await handled(event.id, 1);
    await expect(sql`update audit.records set outcome = 'failure' where id = ${event.id}`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit.records where id = ${event.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit.records`.execute(db)).rejects.toThrow(/append-only/);
    const chainId = `org:${event.orgId}`;
    await expect(sql`delete from audit.chains where chain_id = ${chainId}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`update audit.chains set length = 0 where chain_id = ${chainId}`.execute(db)).rejects.toThrow(
      /only move forward/,
    );
    await expect(
      sql`update audit.chains set head_hash = ${'f'.repeat(64)} where chain_id = ${chainId}`.execute(db),
    ).rejects.toThrow(/hash of its last record/);
    await expect(sql`truncate audit.chains`.execute(db)).rejects.toThrow(/append-only/);
    expect((await query({ requestId: event.requestId ?? undefined })).records).toHaveLength(1);
  });

  it("records each charged call once from its usage event, a batch's share of each chain in one insert", async () => {
    const [hot, other] = [`org-${randomUUID()}`, `org-${randomUUID()}`];
    const usages = [
      ...Array.from({ length: 30 }, (_, index) => usage(hot, index)),
      ...Array.from({ length: 10 }, (_, index) => usage(other, index)),
    ];
    const inserts = replicas.map((replica) => jest.spyOn(replica.app.get(AuditRepository), 'withChain'));
    try {
      await Promise.all(
        usages.flatMap((event) => [
          client.emit(Subjects.usageRecorded, event, { messageId: event.requestId }),
          // Redelivered: recorded once all the same.
          client.emit(Subjects.usageRecorded, event, { messageId: `${event.requestId}:again` }),
        ]),
      );
      await Promise.all(usages.map((event) => handled(`${event.requestId}:call`, 2)));
      const hotTransactions = inserts.flatMap((spy) => spy.mock.calls.filter(([chainId]) => chainId === `org:${hot}`));
      expect(hotTransactions.length).toBeLessThan(30);
    } finally {
      inserts.forEach((spy) => spy.mockRestore());
    }
    const first = usages[0];
    expect((await query({ requestId: first.requestId })).records).toEqual([
      {
        id: `${first.requestId}:call`,
        category: 'call',
        action: 'chat.completions.create',
        outcome: 'success',
        actorKeyId: first.keyId,
        orgId: hot,
        projectId: first.projectId,
        requestId: first.requestId,
        target: first.requestedModel,
        metadata: {
          task: first.task,
          stream: first.stream,
          durationMs: first.durationMs,
          model: first.model,
          deployment: first.deploymentId,
          inputTokens: first.inputTokens,
          outputTokens: first.outputTokens,
          costNanoUsd: first.cost,
          outcome: first.outcome,
        },
        occurredAt: first.occurredAt,
        seq: expect.any(Number),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect((await query({ orgId: hot })).records).toHaveLength(30);
    const audit = replicas[0].app.get(AuditService);
    expect(await audit.verifyOrgChain(hot)).toMatchObject({ valid: true, records: 30 });
    expect(await audit.verifyOrgChain(other)).toMatchObject({ valid: true, records: 10 });
  });
});
