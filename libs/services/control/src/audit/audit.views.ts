import type { StoredAuditRecord } from '@polymux/contracts';
import { stringify } from 'csv-stringify/sync';

/** A record as the admin API shows it: every field present (null when a call's record has none). */
export const auditRecordView = (record: StoredAuditRecord) => ({
  seq: record.seq,
  id: record.id,
  occurredAt: record.occurredAt,
  category: record.category,
  action: record.action,
  outcome: record.outcome,
  actorKeyId: record.actorKeyId,
  actorUserId: record.actorUserId ?? null,
  sourceAddress: record.sourceAddress ?? null,
  orgId: record.orgId,
  projectId: record.projectId,
  requestId: record.requestId,
  target: record.target,
  metadata: record.metadata,
  before: record.before ?? null,
  after: record.after ?? null,
  hash: record.hash,
});

const CSV_COLUMNS = [
  'seq',
  'id',
  'occurred_at',
  'category',
  'action',
  'outcome',
  'actor_key_id',
  'actor_user_id',
  'source_address',
  'org_id',
  'project_id',
  'request_id',
  'target',
  'metadata',
  'before',
  'after',
  'hash',
];

/** Cells a spreadsheet would read as a formula are prefixed with `'` (`escape_formulas`), as the usage CSV's. */
const csvLine = (cells: Array<string | number | null>): string => stringify([cells], { escape_formulas: true });

export const AUDIT_CSV_HEADER = csvLine(CSV_COLUMNS);

/** One record as a CSV line; metadata, before and after as JSON text. */
export const auditCsvLine = (record: StoredAuditRecord): string => {
  const view = auditRecordView(record);
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  return csvLine([
    view.seq,
    view.id,
    view.occurredAt,
    view.category,
    view.action,
    view.outcome,
    view.actorKeyId,
    view.actorUserId,
    view.sourceAddress,
    view.orgId,
    view.projectId,
    view.requestId,
    view.target,
    json(view.metadata),
    json(view.before),
    json(view.after),
    view.hash,
  ]);
};

/** One record as a line of JSON lines. */
export const auditJsonLine = (record: StoredAuditRecord): string => `${JSON.stringify(auditRecordView(record))}\n`;
