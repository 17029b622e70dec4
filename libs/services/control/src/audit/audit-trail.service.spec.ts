import type { RequestOf, StoredAuditRecord } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import type { MessagingClient } from '@polymux/messaging';

import { AuditTrailService, decodeCursor, encodeCursor } from './audit-trail.service';
import { AUDIT_CSV_HEADER, auditCsvLine, auditJsonLine } from './audit.views';

/** Records with seq 1..n, and an audit that answers queries over them as the audit service does. */
const trail = (n: number) => {
  const records: StoredAuditRecord[] = Array.from({ length: n }, (_, index) => ({
    id: `r${index + 1}`,
    category: 'admin',
    action: index % 2 === 0 ? 'api_key.update' : 'org.create',
    outcome: 'success',
    actorKeyId: 'k',
    orgId: 'o',
    projectId: null,
    requestId: null,
    target: null,
    metadata: {},
    occurredAt: '2026-01-01T00:00:00.000Z',
    seq: index + 1,
    hash: 'h',
  }));
  const queries: Array<RequestOf<typeof Subjects.auditQuery>> = [];
  const messaging = {
    request: jest.fn(async (contract: unknown, query: RequestOf<typeof Subjects.auditQuery>) => {
      expect(contract).toBe(Subjects.auditQuery);
      queries.push(query);
      const matching = records
        .filter(
          (record) =>
            (query.action === undefined || record.action === query.action) &&
            record.seq < (query.beforeSeq ?? Infinity),
        )
        .reverse()
        .slice(query.offset ?? 0);
      return { records: matching.slice(0, query.limit), more: matching.length > query.limit };
    }),
  };
  const service = new AuditTrailService(messaging as unknown as MessagingClient);
  /** Appends a record while an export is under way, above every other. */
  const append = () => records.push({ ...records[0]!, id: `r${records.length + 1}`, seq: records.length + 1 });
  return { service, queries, append };
};

const collect = async (records: AsyncGenerator<StoredAuditRecord>) => {
  const seqs: number[] = [];
  for await (const record of records) seqs.push(record.seq);
  return seqs;
};

const params = { format: 'jsonl' as const };

describe('audit trail through the admin API', () => {
  it('pages with an opaque cursor on seq, and refuses one that is not', async () => {
    const { service } = trail(5);
    const first = await service.page({ limit: 2 });
    expect(first.records.map((record) => record.seq)).toEqual([5, 4]);
    expect(decodeCursor(first.nextCursor!)).toBe(4);
    const second = await service.page({ limit: 2, cursor: first.nextCursor! });
    expect(second.records.map((record) => record.seq)).toEqual([3, 2]);
    const last = await service.page({ limit: 2, cursor: second.nextCursor! });
    expect(last).toMatchObject({ nextCursor: null });
    for (const bad of ['x', encodeCursor(0), Buffer.from('{"s":"7"}').toString('base64url'), '%%'])
      expect(() => decodeCursor(bad)).toThrow(/not a cursor/);
  });

  it('exports everything in pages of 500 when it fits the limit', async () => {
    const { service, queries } = trail(1_200);
    const { records, nextCursor } = await service.export({ ...params, limit: 100_000 });
    expect(nextCursor).toBeNull();
    const seqs = await collect(records);
    expect(seqs).toHaveLength(1_200);
    expect(seqs[0]).toBe(1_200);
    expect(seqs.at(-1)).toBe(1);
    // The first page, the look-up of the record past the limit (none), then the rest.
    expect(queries.map((query) => [query.limit, query.offset ?? 0])).toEqual([
      [500, 0],
      [1, 100_000],
      [500, 0],
      [500, 0],
    ]);
  });

  it('stops at the limit and says where the next export continues, whatever is appended meanwhile', async () => {
    const { service, append } = trail(1_200);
    const first = await service.export({ ...params, limit: 700 });
    append();
    append();
    const seqs = await collect(first.records);
    expect(seqs).toEqual(Array.from({ length: 700 }, (_, index) => 1_200 - index));
    const rest = await service.export({ ...params, limit: 700, cursor: first.nextCursor! });
    expect(rest.nextCursor).toBeNull();
    expect(await collect(rest.records)).toEqual(Array.from({ length: 500 }, (_, index) => 500 - index));
    // A limit within one page: the cursor is the page's last seq.
    const small = await service.export({ ...params, limit: 3, action: 'org.create' });
    expect(await collect(small.records)).toEqual([1_200, 1_198, 1_196]);
    expect(decodeCursor(small.nextCursor!)).toBe(1_196);
  });

  it('writes CSV with one header, JSON lines with every field', () => {
    const [record] = [
      {
        ...{ id: 'a', category: 'admin', action: '=cmd', outcome: 'success', actorKeyId: 'k', orgId: null },
        ...{ projectId: null, requestId: null, target: 'api_key:1', metadata: { n: 1 }, occurredAt: 't' },
        ...{ seq: 7, hash: 'h', sourceAddress: '203.0.113.7', after: { limits: { rpm: 2 } } },
      } as StoredAuditRecord,
    ];
    expect(AUDIT_CSV_HEADER).toBe(
      'seq,id,occurred_at,category,action,outcome,actor_key_id,actor_user_id,source_address,org_id,project_id,request_id,target,metadata,before,after,hash\n',
    );
    expect(auditCsvLine(record!)).toBe(
      `7,a,t,admin,'=cmd,success,k,,203.0.113.7,,,,api_key:1,"{""n"":1}",,"{""limits"":{""rpm"":2}}",h\n`,
    );
    expect(JSON.parse(auditJsonLine(record!))).toMatchObject({
      actorUserId: null,
      before: null,
      sourceAddress: '203.0.113.7',
    });
  });
});
