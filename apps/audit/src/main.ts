import './instrument';

import { AuditModule, auditMigrations, runAuditVerify } from '@polymux/audit';
import { migrateOnly, runService } from '@polymux/runtime';

if (process.argv.includes('--migrate-only')) migrateOnly('audit', 'audit', auditMigrations);
else if (process.argv.includes('--verify')) runAuditVerify();
else runService({ name: 'audit', modules: [AuditModule] });
