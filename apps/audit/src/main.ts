import './instrument';

import { AuditModule, auditMigrations } from '@polymux/audit';
import { runService } from '@polymux/runtime';

import { migrateOnly } from './migrate-only';

if (process.argv.includes('--migrate-only')) migrateOnly('audit', 'audit', auditMigrations);
else runService({ name: 'audit', modules: [AuditModule] });
