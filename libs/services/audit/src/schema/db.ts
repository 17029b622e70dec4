import type { ChainsTable } from './tables/chains.table';
import type { RecordsTable } from './tables/records.table';

/** The `audit` schema: audit's own tables, read by no other service. */
export interface DB {
  records: RecordsTable;
  chains: ChainsTable;
}

/** Injection token of audit's Kysely handle on its schema. */
export const AUDIT_DB = Symbol('polymux.audit.db');
