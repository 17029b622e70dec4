import { Module } from '@nestjs/common';
import { DatabaseModule } from '@polymux/database';

import { AuditHandler } from './audit.handler';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AUDIT_DB } from './schema/db';
import { auditMigrations } from './schema/migrations';

/** The append-only, tamper-evident audit trail. Metadata only: never prompt or completion content. */
@Module({
  imports: [DatabaseModule.forService({ schema: 'audit', migrations: auditMigrations, token: AUDIT_DB })],
  controllers: [AuditHandler],
  providers: [AuditRepository, AuditService],
  exports: [AuditService],
})
export class AuditModule {}
