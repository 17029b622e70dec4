import { randomUUID } from 'node:crypto';

import type { AuditRecorded } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { migrateToLatest } from '@polymux/database';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import type { ScratchDatabase } from '@polymux/testing';
import { createScratchDatabase, deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import { Kysely, PostgresDialect } from 'kysely';
import { Client, Pool } from 'pg';

import { GENESIS_HASH, chainHash } from './audit-chain';
import type { VerifyRun } from './audit-verify.test-support';
import { buildVerifyCommand } from './audit-verify.test-support';
import { AuditModule } from './audit.module';
import { auditMigrations } from './schema/migrations';

jest.setTimeout(120_000);

const namespace = `it_auditverify_${randomUUID().slice(0, 8)}`;
const base = isolatedServiceEnv(namespace);
// A database of this file's own: tampering with it must not break the chains other tests verify.
let scratch: ScratchDatabase;
let databaseUrl: string;
let db: Client;
let command: ReturnType<typeof buildVerifyCommand>;
let service: RunningService | undefined;

const verify = (): Promise<VerifyRun> => command.run({ POLYMUX_MODE: 'distributed', DATABASE_URL: databaseUrl });

const fact = (orgId: string | null, index: number): AuditRecorded => ({
  id: randomUUID(),
  category: 'admin',
  action: 'api_key.create',
  outcome: 'success',
  actorKeyId: 'key-admin',
  orgId,
  projectId: null,
  requestId: null,
  target: `api_key:${index}`,
  metadata: { index },
  occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
});

/** Runs `statement` with the append-only triggers lifted, as someone with raw database access could. */
const tamper = async (...statements: Array<[string, unknown[]]>) => {
  await db.query('begin');
  await db.query('alter table audit.records disable trigger records_append_only');
  for (const [statement, values] of statements) await db.query(statement, values);
  await db.query('alter table audit.records enable trigger records_append_only');
  await db.query('commit');
};
const idAt = async (chainId: string, position: number): Promise<string> =>
  (await db.query('select id from audit.records where chain_id = $1 and chain_pos = $2', [chainId, position])).rows[0]
    .id;

beforeAll(async () => {
  command = buildVerifyCommand();
  scratch = await createScratchDatabase(base.DATABASE_URL, 'polymux_audit_verify');
  databaseUrl = scratch.url;
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await service?.close();
  await db?.end();
  await scratch?.drop();
  await deleteNatsNamespace(base.NATS_URL, namespace);
  command?.remove();
});

describe('npm run audit:verify against a live Postgres', () => {
  const orgs = {
    edited: `org-${randomUUID()}`,
    deleted: `org-${randomUUID()}`,
    truncated: `org-${randomUUID()}`,
    reordered: `org-${randomUUID()}`,
  };

  it('keeps records stored before per-tenant chains verifiable as the chain `legacy`', async () => {
    // The database as the single-chain version left it: one chain over every record, in seq order.
    const kysely = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new Pool({ connectionString: databaseUrl }) }),
    });
    try {
      const first = '1795253571106-CreateAuditRecords';
      await migrateToLatest(kysely, 'audit', { [first]: auditMigrations[first] });
      let prev = GENESIS_HASH;
      for (const record of [fact('org-old', 1), fact(null, 2), fact('org-old', 3)]) {
        const hash = chainHash(prev, record);
        await db.query(
          `insert into audit.records (id, category, action, outcome, actor_key_id, org_id, project_id, request_id,
             target, metadata, occurred_at, prev_hash, hash) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
          [
            record.id,
            record.category,
            record.action,
            record.outcome,
            record.actorKeyId,
            record.orgId,
            record.projectId,
            record.requestId,
            record.target,
            JSON.stringify(record.metadata),
            record.occurredAt,
            prev,
            hash,
          ],
        );
        prev = hash;
      }
      await migrateToLatest(kysely, 'audit', auditMigrations);
    } finally {
      await kysely.destroy();
    }
    const result = await verify();
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('audit chain legacy: ok, 3 records');
  });

  it('exits 0 with every chain verified after appends through the service', async () => {
    service = await startService({ name: 'audit', modules: [AuditModule] }, { ...base, DATABASE_URL: databaseUrl });
    const client = service.app.get(MessagingClient);
    const events = [...Object.values(orgs), null].flatMap((orgId) =>
      Array.from({ length: 4 }, (_, index) => fact(orgId, index)),
    );
    for (const event of events) await client.emit(Subjects.auditRecorded, event, { messageId: event.id });
    await pollUntil(
      async () => Number((await db.query('select count(*) from audit.records')).rows[0].count),
      (count) => count === 3 + events.length,
    );
    await service.close();
    service = undefined;

    const result = await verify();
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const orgId of Object.values(orgs)) expect(result.stdout).toContain(`audit chain org:${orgId}: ok, 4 records`);
    expect(result.stdout).toContain('audit chain no-org: ok, 4 records');
    expect(result.stdout).toContain('audit: 6 chains, 23 records verified');
  });

  it('exits 1 naming the record that was edited', async () => {
    const chainId = `org:${orgs.edited}`;
    const victim = await idAt(chainId, 2);
    const stored = (await db.query('select hash from audit.records where id = $1', [victim])).rows[0].hash as string;
    await tamper([`update audit.records set metadata = '{"index": 99}' where id = $1`, [victim]]);
    const result = await verify();
    expect(result.code).toBe(1);
    // What the edited record hashes to now, against the hash stored with it.
    expect(result.stderr).toMatch(
      new RegExp(
        `audit chain ${chainId}: BROKEN at record ${victim} \\(seq \\d+, position 2\\): hash does not match ` +
          `\\(expected (?!${stored})[0-9a-f]{64}, found ${stored}\\)`,
      ),
    );
  });

  it('exits 1 naming the record after one that was deleted, and the missing end of a chain', async () => {
    const deletedChain = `org:${orgs.deleted}`;
    const after = await idAt(deletedChain, 3);
    const hashAt = async (position: number) =>
      (
        await db.query('select hash from audit.records where chain_id = $1 and chain_pos = $2', [
          deletedChain,
          position,
        ])
      ).rows[0].hash as string;
    const [first, deleted] = [await hashAt(1), await hashAt(2)];
    await tamper(['delete from audit.records where id = $1', [await idAt(deletedChain, 2)]]);
    const truncatedChain = `org:${orgs.truncated}`;
    await tamper(['delete from audit.records where id = $1', [await idAt(truncatedChain, 4)]]);
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `audit chain ${deletedChain}: BROKEN at record ${after} \\(seq \\d+, position 3\\): prev_hash does not link ` +
          // The record after the gap links to the deleted one, not to the one before it.
          `\\(expected ${first}, found ${deleted}\\)`,
      ),
    );
    expect(result.stderr).toContain(
      `audit chain ${truncatedChain}: BROKEN at position 4 (missing): records missing at the end`,
    );
  });

  it('exits 1 naming the first record out of place when records were reordered', async () => {
    const chainId = `org:${orgs.reordered}`;
    const [second, third] = [await idAt(chainId, 2), await idAt(chainId, 3)];
    // Swapped through a free position: the (chain, position) index admits one record per position.
    await tamper(
      ['update audit.records set chain_pos = -1 where id = $1', [second]],
      ['update audit.records set chain_pos = 2 where id = $1', [third]],
      ['update audit.records set chain_pos = 3 where id = $1', [second]],
    );
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `audit chain ${chainId}: BROKEN at record ${third} \\(seq \\d+, position 2\\): prev_hash does not link`,
      ),
    );
    expect(result.stderr).toContain('audit: 4 of 6 chains broken');
    // The intact chains still verify.
    expect(result.stdout).toContain('audit chain legacy: ok, 3 records');
    expect(result.stdout).toContain('audit chain no-org: ok, 4 records');
  });

  it('exits 2 when it cannot read the chains', async () => {
    const result = await command.run({
      POLYMUX_MODE: 'distributed',
      DATABASE_URL: base.DATABASE_URL.replace(/\/[^/]*$/, '/polymux_no_such_database'),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('audit verification failed');
  });
});
