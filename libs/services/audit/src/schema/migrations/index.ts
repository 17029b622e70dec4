import type { Migration } from 'kysely';

import * as createAuditRecords from './1795253571106-CreateAuditRecords';
import * as chainPerTenant from './1796195769472-ChainPerTenant';
import * as adminChanges from './1797400000000-AdminChanges';

/** Audit's migrations, applied in key order to the `audit` schema. */
export const auditMigrations: Record<string, Migration> = {
  '1795253571106-CreateAuditRecords': createAuditRecords,
  '1796195769472-ChainPerTenant': chainPerTenant,
  '1797400000000-AdminChanges': adminChanges,
};
