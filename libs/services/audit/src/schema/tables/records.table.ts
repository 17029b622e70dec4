import type { AuditState } from '@polymux/contracts';
import type { ColumnType } from 'kysely';

/** int8 as pg (string) or PGlite (number, bigint) reads it. */
export type Int8 = string | number | bigint;

export type AuditMetadata = Record<string, string | number | boolean | null>;

/** A target's state before or after an admin action, as JSON (written as text, read back parsed). */
export type AuditStateColumn = ColumnType<AuditState | null, string | null, never>;

/** One audit fact, chained to the one before it in its chain. Insert-only: a trigger rejects UPDATE and DELETE. */
export interface RecordsTable {
  seq: ColumnType<Int8, never, never>;
  id: string;
  category: 'call' | 'admin';
  action: string;
  outcome: 'success' | 'failure' | 'partial';
  actor_key_id: string | null;
  org_id: string | null;
  project_id: string | null;
  request_id: string | null;
  target: string | null;
  /** Written as JSON text, read back parsed. */
  metadata: ColumnType<AuditMetadata, string, never>;
  /** Admin actions: the acting key's user, the caller's address, the target before and after; null otherwise. */
  actor_user_id: string | null;
  source_address: string | null;
  before_state: AuditStateColumn;
  after_state: AuditStateColumn;
  occurred_at: ColumnType<Date, string, never>;
  recorded_at: ColumnType<Date, never, never>;
  /** The chain it belongs to: `org:<orgId>`, `no-org`, or `legacy` for records older than per-tenant chains. */
  chain_id: string;
  /** 1-based position in its chain; unique per chain. */
  chain_pos: ColumnType<Int8, number, never>;
  /** `hash` of the record before in its chain, or the genesis hash for the first. */
  prev_hash: string;
  /** sha256(prev_hash ‖ canonical JSON of the record), hex. */
  hash: string;
}
