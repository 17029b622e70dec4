import { randomUUID } from 'node:crypto';

import type { AuditRecorded } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import { AuditModule } from './audit.module';
import { AuditService } from './audit.service';
import type { DB } from './schema/db';
import { AUDIT_DB } from './schema/db';

jest.setTimeout(30_000);

const namespace = `it_audit_${randomUUID().slice(0, 8)}`;
// Subjects, streams, durable consumers and Redis keys of this file only: no other test sees its traffic.
const env = isolatedServiceEnv(namespace);

// Two replicas sharing the durable consumer: both append to the one chain.
let replicas: RunningService[];
let client: MessagingClient;
let db: Kysely<DB>;
let recordSpies: Array<jest.SpyInstance<Promise<boolean>, [AuditRecorded]>>;

const startReplica = () => startService({ name: 'audit', modules: [AuditModule] }, env);

beforeAll(async () => {
  replicas = [await startReplica(), await startReplica()];
  client = replicas[0].app.get(MessagingClient);
  db = replicas[0].app.get<symbol, Kysely<DB>>(AUDIT_DB);
  recordSpies = replicas.map((replica) => jest.spyOn(replica.app.get(AuditService), 'record'));
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
  await deleteNatsNamespace(env.NATS_URL, namespace);
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
/** Waits until the replicas have finished handling `count` deliveries of the fact. */
const handled = async (id: string, count: number) => {
  const calls = () =>
    recordSpies.flatMap((spy) =>
      spy.mock.calls.flatMap(([event], index) => (event.id === id ? [spy.mock.results[index]] : [])),
    );
  await pollUntil(
    () => calls().length,
    (seen) => seen >= count,
  );
  await Promise.all(calls().map((result) => result.value));
};

describe('audit over NATS', () => {
  it('stores a redelivered fact once and answers it with its seq and hash', async () => {
    const event = fact();
    await emit(event);
    await emit(event, `${event.id}:redelivered`);
    await handled(event.id, 2);
    const { records } = await query({ requestId: event.requestId ?? undefined });
    expect(records).toEqual([{ ...event, seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });

  it('chains concurrent appends from two replicas into one valid chain, newest first', async () => {
    const orgId = `org-${randomUUID()}`;
    const events = Array.from({ length: 30 }, (_, index) => fact({ orgId, metadata: { index } }));
    await Promise.all(events.map((event) => emit(event)));
    const { records } = await pollUntil(
      () => query({ orgId }),
      (answer) => answer.records.length === 30,
    );
    const seqs = records.map((record) => record.seq);
    expect(seqs).toEqual([...seqs].sort((left, right) => right - left));
    expect(new Set(records.map((record) => record.id))).toEqual(new Set(events.map((event) => event.id)));
    expect((await query({ orgId, limit: 5 })).records.map((record) => record.seq)).toEqual(seqs.slice(0, 5));
    expect(await replicas[1].app.get(AuditService).verifyChain()).toMatchObject({ valid: true });
  });

  it('refuses to update, delete or truncate stored records', async () => {
    const event = fact();
    await emit(event);
    await handled(event.id, 1);
    await expect(sql`update audit.records set outcome = 'failure' where id = ${event.id}`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit.records where id = ${event.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit.records`.execute(db)).rejects.toThrow(/append-only/);
    expect((await query({ requestId: event.requestId ?? undefined })).records).toHaveLength(1);
  });
});
