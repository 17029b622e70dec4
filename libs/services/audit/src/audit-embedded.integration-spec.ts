import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AuditRecorded } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { pollUntil } from '@polymux/testing';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import { chainHash } from './audit-chain';
import { buildVerifyCommand } from './audit-verify.test-support';
import { AuditModule } from './audit.module';
import { AuditService } from './audit.service';
import type { DB } from './schema/db';
import { AUDIT_DB } from './schema/db';

jest.setTimeout(120_000);

// PGlite loads Node built-ins with import(), which Jest's module sandbox refuses without
// --experimental-vm-modules: load it with Node's own loader, outside the sandbox.
jest.mock('@electric-sql/pglite', () =>
  jest
    .requireActual<{ _load: (request: string, parent: null, isMain: boolean) => unknown }>('node:module')
    ._load(require.resolve('@electric-sql/pglite'), null, false),
);

const dataDir = mkdtempSync(join(tmpdir(), 'polymux-audit-'));
const embedded = { POLYMUX_MODE: 'embedded', POLYMUX_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn' } as const;
let service: RunningService | undefined;
let command: ReturnType<typeof buildVerifyCommand>;

const start = async () => {
  service = await startService({ name: 'polymux', modules: [AuditModule], httpPort: () => 0 }, embedded);
  return service;
};
/** PGlite's data dir takes one process at a time: the command runs while the gateway is stopped. */
const stopAndVerify = async () => {
  await service?.close();
  service = undefined;
  return command.run(embedded);
};

beforeAll(() => {
  command = buildVerifyCommand();
});

afterAll(async () => {
  await service?.close();
  rmSync(dataDir, { recursive: true, force: true });
  command?.remove();
});

describe('audit in the embedded mode (PGlite, in-process bus)', () => {
  const orgId = `org-${randomUUID()}`;
  const events: AuditRecorded[] = Array.from({ length: 5 }, (_, index) => ({
    id: randomUUID(),
    category: 'admin',
    action: 'key.create',
    outcome: 'success',
    actorKeyId: 'key-admin',
    orgId,
    projectId: null,
    requestId: null,
    target: `key:${index}`,
    metadata: { index },
    occurredAt: new Date().toISOString(),
  }));

  it('chains the records and `npm run audit:verify` accepts the data dir', async () => {
    const client = (await start()).app.get(MessagingClient);
    for (const event of events) await client.emit(Subjects.auditRecorded, event, { messageId: event.id });
    const { records } = await pollUntil(
      () => client.request(Subjects.auditQuery, { orgId, limit: 10 }),
      (answer) => answer.records.length === 5,
    );
    expect(await service!.app.get(AuditService).verifyOrgChain(orgId)).toEqual({
      chainId: `org:${orgId}`,
      valid: true,
      records: 5,
      head: records[0].hash,
    });
    const result = await stopAndVerify();
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`audit chain org:${orgId}: ok, 5 records, head ${records[0].hash}`);
  });

  it('detects a record changed behind the append-only trigger, in the service and in the command', async () => {
    const running = await start();
    const client = running.app.get(MessagingClient);
    const audit = running.app.get(AuditService);
    const db = running.app.get<symbol, Kysely<DB>>(AUDIT_DB);
    const { records } = await client.request(Subjects.auditQuery, { orgId, limit: 10 });

    const victim = records[2];
    await expect(
      sql`update audit.records set outcome = 'failure' where seq = ${victim.seq}`.execute(db),
    ).rejects.toThrow(/append-only/);
    await sql`alter table audit.records disable trigger records_append_only`.execute(db);
    await sql`update audit.records set metadata = '{"index": 99}' where seq = ${victim.seq}`.execute(db);
    await sql`alter table audit.records enable trigger records_append_only`.execute(db);
    expect(await audit.verifyOrgChain(orgId)).toEqual({
      chainId: `org:${orgId}`,
      valid: false,
      records: 2,
      reason: 'hash does not match',
      brokenAt: {
        id: victim.id,
        seq: victim.seq,
        position: 3,
        expected: chainHash(records[3].hash, {
          ...events.find((event) => event.id === victim.id)!,
          metadata: { index: 99 },
        }),
        found: victim.hash,
      },
    });

    // Re-sealing the changed record does not help: the next record no longer links to it.
    const original = events.find((event) => event.id === victim.id)!;
    const resealed = chainHash(records[3].hash, { ...original, metadata: { index: 99 } });
    await sql`alter table audit.records disable trigger records_append_only`.execute(db);
    await sql`update audit.records set hash = ${resealed} where seq = ${victim.seq}`.execute(db);
    await sql`alter table audit.records enable trigger records_append_only`.execute(db);
    expect(await audit.verifyOrgChain(orgId)).toMatchObject({
      valid: false,
      records: 3,
      reason: 'prev_hash does not link',
      brokenAt: { id: records[1].id, seq: records[1].seq, position: 4 },
    });

    const result = await stopAndVerify();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `audit chain org:${orgId}: BROKEN at record ${records[1].id} (seq ${records[1].seq}, position 4): prev_hash does not link`,
    );
  });
});
