import { Injectable } from '@nestjs/common';
import type { AuditFilters, AuditVerification, RequestOf, StoredAuditRecord } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import type { AuditExportParams, AuditParams } from './audit.dto';

/** Records per audit query while exporting: a page stays far below NATS's 1 MB message limit. */
const EXPORT_PAGE = 500;

/** Verification reads every record of the chains: it may take far longer than a query. */
const VERIFY_TIMEOUT_MS = 120_000;

/** An opaque page cursor: the `seq` the next page starts below. */
export const encodeCursor = (beforeSeq: number): string =>
  Buffer.from(JSON.stringify({ s: beforeSeq })).toString('base64url');

export const decodeCursor = (cursor: string): number => {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const seq = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as { s?: unknown };
  if (typeof seq.s !== 'number' || !Number.isSafeInteger(seq.s) || seq.s < 1)
    throw new PolymuxException(ErrorCode.InvalidRequest, 'cursor is not a cursor of this list', {
      param: 'cursor',
    });
  return seq.s;
};

/** The filters given, as audit's query takes them (undefined ones left out). */
const filtersOf = (params: AuditFilters): AuditFilters =>
  Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as AuditFilters;

export interface AuditExport {
  /** Where the next export continues, when this one stopped at its `limit` with records left. */
  nextCursor: string | null;
  records: AsyncGenerator<StoredAuditRecord>;
}

/**
 * The audit trail through the admin API: audit, which owns the records, answers the queries
 * (`audit.records.query.v1`) and recomputes the chains (`audit.chains.verify.v1`).
 */
@Injectable()
export class AuditTrailService {
  constructor(private readonly messaging: MessagingClient) {}

  async page({
    cursor,
    limit,
    ...filters
  }: AuditParams): Promise<{ records: StoredAuditRecord[]; nextCursor: string | null }> {
    const { records, more } = await this.query({
      ...filtersOf(filters),
      ...(cursor === undefined ? {} : { beforeSeq: decodeCursor(cursor) }),
      limit,
    });
    const last = records[records.length - 1];
    return { records, nextCursor: more && last ? encodeCursor(last.seq) : null };
  }

  /**
   * An export of at most `limit` records, newest first, read from audit page by page as the client
   * takes them. The first page is read before anything is sent, so a bad query still answers with
   * an error; the records below its first are fixed (appended records come above it), so the
   * `limit + 1`-th of them, looked up once, is where the next export continues.
   */
  async export({ cursor, limit, format: _format, ...params }: AuditExportParams): Promise<AuditExport> {
    const filters = filtersOf(params);
    const first = await this.query({
      ...filters,
      ...(cursor === undefined ? {} : { beforeSeq: decodeCursor(cursor) }),
      limit: Math.min(EXPORT_PAGE, limit),
    });
    const top = first.records[0];
    let nextCursor: string | null = null;
    if (first.more && top && limit <= EXPORT_PAGE)
      nextCursor = encodeCursor(first.records[first.records.length - 1]!.seq);
    else if (first.more && top) {
      const beyond = await this.query({ ...filters, beforeSeq: top.seq + 1, offset: limit, limit: 1 });
      if (beyond.records[0]) nextCursor = encodeCursor(beyond.records[0].seq + 1);
    }
    const query = (query: RequestOf<typeof Subjects.auditQuery>) => this.query(query);
    async function* records(): AsyncGenerator<StoredAuditRecord> {
      let page = first;
      let sent = 0;
      for (;;) {
        for (const record of page.records.slice(0, limit - sent)) yield record;
        sent += Math.min(page.records.length, limit - sent);
        const last = page.records[page.records.length - 1];
        if (!page.more || !last || sent >= limit) return;
        page = await query({ ...filters, beforeSeq: last.seq, limit: Math.min(EXPORT_PAGE, limit - sent) });
      }
    }
    return { nextCursor, records: records() };
  }

  verify(orgId: string | undefined): Promise<AuditVerification> {
    return this.messaging.request(Subjects.auditVerify, orgId === undefined ? {} : { orgId }, {
      timeoutMs: VERIFY_TIMEOUT_MS,
    });
  }

  private query(query: RequestOf<typeof Subjects.auditQuery>) {
    return this.messaging.request(Subjects.auditQuery, query);
  }
}
