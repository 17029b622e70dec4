import type { Migration } from 'kysely';

import * as createAuditRecords from './1795253571106-CreateAuditRecords';

/** Audit's migrations, applied in key order to the `audit` schema. */
export const auditMigrations: Record<string, Migration> = {
  '1795253571106-CreateAuditRecords': createAuditRecords,
};
