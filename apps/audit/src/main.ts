import './instrument';

import { AuditModule, auditMigrations } from '@polymux/audit';
import { migrateOnly, runService } from '@polymux/runtime';

if (process.argv.includes('--migrate-only')) migrateOnly('audit', 'audit', auditMigrations);
else runService({ name: 'audit', modules: [AuditModule] });
