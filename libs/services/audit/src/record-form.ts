import type { AuditRecorded, AuditState } from '@polymux/contracts';
import type { Insertable } from 'kysely';

import { chainHash } from './audit-chain';
import type { StoredRecord } from './audit.repository';
import type { RecordsTable } from './schema/tables/records.table';

type Json = AuditState[string];

/** An unpaired UTF-16 surrogate: UTF-8 (text) cannot hold it, and jsonb refuses its escape. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Postgres stores no NUL and no lone surrogate: such a fact would fail, or hash otherwise, forever. */
const storable = (text: string): string => text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
const storableOrNull = (text: string | null | undefined): string | null =>
  text === null || text === undefined ? null : storable(text);

const storableJson = (value: Json): Json => {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [storable(key), storableJson(inner)]));
  return value;
};

/**
 * The admin-only fields that are set: absent and null are the same fact, stored as null and hashed
 * as absent, so that records older than these fields hash as they did.
 */
const adminFields = (fields: {
  actorUserId?: string | null;
  sourceAddress?: string | null;
  before?: AuditState | null;
  after?: AuditState | null;
}): Partial<AuditRecorded> => ({
  ...(fields.actorUserId == null ? {} : { actorUserId: fields.actorUserId }),
  ...(fields.sourceAddress == null ? {} : { sourceAddress: fields.sourceAddress }),
  ...(fields.before == null ? {} : { before: fields.before }),
  ...(fields.after == null ? {} : { after: fields.after }),
});

/** The fact as it can be stored, and therefore as it is hashed. */
export const normalise = (event: AuditRecorded, occurredAt: Date): AuditRecorded => ({
  id: storable(event.id),
  category: event.category,
  action: storable(event.action),
  outcome: event.outcome,
  actorKeyId: storableOrNull(event.actorKeyId),
  orgId: storableOrNull(event.orgId),
  projectId: storableOrNull(event.projectId),
  requestId: storableOrNull(event.requestId),
  target: storableOrNull(event.target),
  metadata: Object.fromEntries(
    Object.entries(event.metadata).map(([key, value]) => [
      storable(key),
      typeof value === 'string' ? storable(value) : value,
    ]),
  ),
  occurredAt: occurredAt.toISOString(),
  ...adminFields({
    actorUserId: storableOrNull(event.actorUserId),
    sourceAddress: storableOrNull(event.sourceAddress),
    before: event.before == null ? null : (storableJson(event.before) as AuditState),
    after: event.after == null ? null : (storableJson(event.after) as AuditState),
  }),
});

/** The row of a record at `position` in its chain, after `prevHash`. */
export const toRow = (
  chainId: string,
  position: number,
  record: AuditRecorded,
  prevHash: string,
): Insertable<RecordsTable> => ({
  id: record.id,
  category: record.category,
  action: record.action,
  outcome: record.outcome,
  actor_key_id: record.actorKeyId,
  actor_user_id: record.actorUserId ?? null,
  source_address: record.sourceAddress ?? null,
  org_id: record.orgId,
  project_id: record.projectId,
  request_id: record.requestId,
  target: record.target,
  metadata: JSON.stringify(record.metadata),
  before_state: record.before == null ? null : JSON.stringify(record.before),
  after_state: record.after == null ? null : JSON.stringify(record.after),
  occurred_at: record.occurredAt,
  chain_id: chainId,
  chain_pos: position,
  prev_hash: prevHash,
  hash: chainHash(prevHash, record),
});

/** The stored form of a fact: what its hash covers. */
export const toRecord = (row: StoredRecord): AuditRecorded => ({
  id: row.id,
  category: row.category,
  action: row.action,
  outcome: row.outcome,
  actorKeyId: row.actor_key_id,
  orgId: row.org_id,
  projectId: row.project_id,
  requestId: row.request_id,
  target: row.target,
  metadata: row.metadata,
  occurredAt: row.occurred_at.toISOString(),
  ...adminFields({
    actorUserId: row.actor_user_id,
    sourceAddress: row.source_address,
    before: row.before_state,
    after: row.after_state,
  }),
});
