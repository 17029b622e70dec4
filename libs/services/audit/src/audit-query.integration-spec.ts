import { randomUUID } from 'node:crypto';

import type { AuditRecorded } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import type { ScratchDatabase } from '@polymux/testing';
import { createScratchDatabase, deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import { chainHash } from './audit-chain';
import { AuditModule } from './audit.module';
import type { DB } from './schema/db';
import { AUDIT_DB } from './schema/db';

jest.setTimeout(60_000);

const namespace = `it_auditquery_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);

// A database of this file's own: the chain it tampers with must not break what other tests verify.
let scratch: ScratchDatabase;
let service: RunningService;
let client: MessagingClient;
let db: Kysely<DB>;

beforeAll(async () => {
  scratch = await createScratchDatabase(env.DATABASE_URL, 'polymux_audit_query');
  service = await startService({ name: 'audit', modules: [AuditModule] }, { ...env, DATABASE_URL: scratch.url });
  client = service.app.get(MessagingClient);
  db = service.app.get<symbol, Kysely<DB>>(AUDIT_DB);
});

afterAll(async () => {
  await service?.close();
  await scratch?.drop();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

const orgId = `org-${randomUUID()}`;
const [keyId, otherKey, userId] = [randomUUID(), randomUUID(), randomUUID()];
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 12, minute)).toISOString();

/** Ten facts of one org, a minute apart: admin actions of two keys (one a user's) and calls. */
const facts: AuditRecorded[] = Array.from({ length: 10 }, (_, index) => {
  const admin = index % 2 === 0;
  return {
    id: randomUUID(),
    category: admin ? 'admin' : 'call',
    action: admin ? (index % 4 === 0 ? 'api_key.update' : 'project.update') : 'chat.completions.create',
    outcome: 'success',
    actorKeyId: index < 6 ? keyId : otherKey,
    orgId,
    projectId: index < 5 ? 'project-a' : 'project-b',
    requestId: admin ? null : randomUUID(),
    target: `api_key:${index}`,
    metadata: { index },
    occurredAt: at(index),
    ...(admin
      ? {
          actorUserId: index < 6 ? userId : null,
          sourceAddress: '203.0.113.7',
          before: { limits: { rpm: index } },
          after: { limits: { rpm: index + 1 }, note: 'nul \u0000 and lone \ud800' },
        }
      : {}),
  };
});

const fact = (org: string | null): AuditRecorded => ({
  ...facts[1]!,
  id: randomUUID(),
  orgId: org,
  actorKeyId: randomUUID(),
});
const query = (filter: Record<string, unknown>) =>
  client.request(Subjects.auditQuery, { orgId, limit: 100, ...filter });
const indexes = (records: Array<{ metadata: AuditRecorded['metadata'] }>) =>
  records.map((record) => record.metadata.index);

describe('audit query and verification over NATS', () => {
  beforeAll(async () => {
    for (const fact of facts) await client.emit(Subjects.auditRecorded, fact, { messageId: fact.id });
    await pollUntil(
      async () => (await query({})).records.length,
      (count) => count === facts.length,
    );
  });

  it('stores who, from where and what changed, hashed with the record; null admin fields as absent', async () => {
    const { records } = await query({ category: 'admin', actor: userId });
    expect(records[0]).toEqual({
      ...facts[4],
      after: { limits: { rpm: 5 }, note: 'nul \uFFFD and lone \uFFFD' },
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const withoutUser = (await query({ actor: otherKey, category: 'admin' })).records;
    expect(indexes(withoutUser)).toEqual([8, 6]);
    expect(withoutUser[0]).not.toHaveProperty('actorUserId');
    const call = (await query({ category: 'call' })).records[0]!;
    expect(Object.keys(call)).not.toEqual(expect.arrayContaining(['sourceAddress', 'before', 'after']));
    expect(await client.request(Subjects.auditVerify, { orgId })).toEqual({
      ok: true,
      checked: 10,
      chains: 1,
      firstBroken: null,
    });
  });

  it('filters by actor (key or user), action, category, project, request and time, newest first', async () => {
    expect(indexes((await query({ actor: keyId })).records)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(indexes((await query({ actor: userId })).records)).toEqual([4, 2, 0]);
    expect(indexes((await query({ action: 'api_key.update' })).records)).toEqual([8, 4, 0]);
    expect(indexes((await query({ category: 'call', projectId: 'project-b' })).records)).toEqual([9, 7, 5]);
    expect(indexes((await query({ requestId: facts[3]!.requestId! })).records)).toEqual([3]);
    expect(indexes((await query({ from: at(2), to: at(5) })).records)).toEqual([4, 3, 2]);
    expect((await query({ actor: randomUUID() })).records).toEqual([]);
    expect((await query({ orgId: `org-${randomUUID()}` })).records).toEqual([]);
  });

  it('pages below a seq, says when more match, and skips an offset', async () => {
    const first = await query({ limit: 4 });
    expect(first).toMatchObject({ more: true });
    expect(indexes(first.records)).toEqual([9, 8, 7, 6]);
    const second = await query({ limit: 4, beforeSeq: first.records[3]!.seq });
    expect(indexes(second.records)).toEqual([5, 4, 3, 2]);
    const last = await query({ limit: 4, beforeSeq: second.records[3]!.seq });
    expect(last).toMatchObject({ more: false });
    expect(indexes(last.records)).toEqual([1, 0]);
    expect(indexes((await query({ limit: 1, offset: 7 })).records)).toEqual([2]);
  });

  it('reports the first broken link with the hash it expected and the hash it found', async () => {
    const { records } = await query({ limit: 100 });
    const victim = records.find((record) => record.metadata.index === 2)!;
    await sql`alter table audit.records disable trigger records_append_only`.execute(db);
    try {
      await sql`update audit.records set before_state = '{"limits": {"rpm": 99}}' where seq = ${victim.seq}`.execute(
        db,
      );
    } finally {
      await sql`alter table audit.records enable trigger records_append_only`.execute(db);
    }
    // The record as it was hashed: without its seq and hash.
    const stored = Object.fromEntries(
      Object.entries(victim).filter(([field]) => field !== 'seq' && field !== 'hash'),
    ) as AuditRecorded;
    const previous = records.find((record) => record.metadata.index === 1)!;
    expect(await client.request(Subjects.auditVerify, { orgId })).toEqual({
      ok: false,
      checked: 2,
      chains: 1,
      firstBroken: {
        chainId: `org:${orgId}`,
        reason: 'hash does not match',
        id: victim.id,
        seq: victim.seq,
        position: 3,
        expected: chainHash(previous.hash, { ...stored, before: { limits: { rpm: 99 } } }),
        found: victim.hash,
      },
    });
    // Every chain: this database's no-org chain verifies, this one's break is the first.
    const other = fact(null);
    await client.emit(Subjects.auditRecorded, other, { messageId: other.id });
    await pollUntil(
      async () =>
        (await client.request(Subjects.auditQuery, { actor: other.actorKeyId!, limit: 1 })).records.length === 1,
    );
    expect(await client.request(Subjects.auditVerify, {})).toEqual({
      ok: false,
      checked: 3,
      chains: 2,
      firstBroken: expect.objectContaining({ id: victim.id }),
    });
  });
});
