export type { ChainVerification } from './audit-chain';
export { runAuditVerify } from './audit-verify.command';
export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export { auditMigrations } from './schema/migrations';
