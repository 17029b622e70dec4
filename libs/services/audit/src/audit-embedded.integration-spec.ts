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
import { AuditModule } from './audit.module';
import { AuditService } from './audit.service';
import type { DB } from './schema/db';
import { AUDIT_DB } from './schema/db';

jest.setTimeout(60_000);

// PGlite loads Node built-ins with import(), which Jest's module sandbox refuses without
// --experimental-vm-modules: load it with Node's own loader, outside the sandbox.
jest.mock('@electric-sql/pglite', () =>
  jest
    .requireActual<{ _load: (request: string, parent: null, isMain: boolean) => unknown }>('node:module')
    ._load(require.resolve('@electric-sql/pglite'), null, false),
);

const dataDir = mkdtempSync(join(tmpdir(), 'polymux-audit-'));
let service: RunningService;

beforeAll(async () => {
  service = await startService(
    { name: 'polymux', modules: [AuditModule], httpPort: () => 0 },
    { POLYMUX_MODE: 'embedded', POLYMUX_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
  );
});

afterAll(async () => {
  await service.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('audit in the embedded mode (PGlite, in-process bus)', () => {
  it('detects a record changed behind the append-only trigger', async () => {
    const client = service.app.get(MessagingClient);
    const audit = service.app.get(AuditService);
    const db = service.app.get<symbol, Kysely<DB>>(AUDIT_DB);
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
    for (const event of events) await client.emit(Subjects.auditRecorded, event, { messageId: event.id });
    const { records } = await pollUntil(
      () => client.request(Subjects.auditQuery, { orgId, limit: 10 }),
      (answer) => answer.records.length === 5,
    );
    expect(await audit.verifyChain()).toEqual({ valid: true, records: 5, head: records[0].hash });

    const victim = records[2];
    await expect(
      sql`update audit.records set outcome = 'failure' where seq = ${victim.seq}`.execute(db),
    ).rejects.toThrow(/append-only/);
    await sql`alter table audit.records disable trigger records_append_only`.execute(db);
    await sql`update audit.records set metadata = '{"index": 99}' where seq = ${victim.seq}`.execute(db);
    await sql`alter table audit.records enable trigger records_append_only`.execute(db);
    expect(await audit.verifyChain()).toEqual({
      valid: false,
      records: 2,
      brokenAtSeq: victim.seq,
      reason: 'hash does not match',
    });

    // Re-sealing the changed record does not help: the next record no longer links to it.
    const original = events.find((event) => event.id === victim.id)!;
    const resealed = chainHash(records[3].hash, { ...original, metadata: { index: 99 } });
    await sql`alter table audit.records disable trigger records_append_only`.execute(db);
    await sql`update audit.records set hash = ${resealed} where seq = ${victim.seq}`.execute(db);
    await sql`alter table audit.records enable trigger records_append_only`.execute(db);
    expect(await audit.verifyChain()).toEqual({
      valid: false,
      records: 3,
      brokenAtSeq: records[1].seq,
      reason: 'prev_hash does not link',
    });
  });
});
