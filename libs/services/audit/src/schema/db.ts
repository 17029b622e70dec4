import type { RecordsTable } from './tables/records.table';

/** The `audit` schema: audit's own table, read by no other service. */
export interface DB {
  records: RecordsTable;
}

/** Injection token of audit's Kysely handle on its schema. */
export const AUDIT_DB = Symbol('polymux.audit.db');
