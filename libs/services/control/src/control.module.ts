import { Module } from '@nestjs/common';
import { DatabaseModule } from '@polymux/database';

import { AdminAuthGuard } from './admin/admin-auth.guard';
import { AdminController } from './admin/admin.controller';
import { BootstrapService } from './bootstrap.service';
import { CONTROL_DB, ControlRepository } from './control.repository';
import { ControlService } from './control.service';
import { KeyHandler } from './key.handler';
import { controlMigrations } from './schema/migrations';

@Module({
  imports: [DatabaseModule.forService({ schema: 'control', migrations: controlMigrations, token: CONTROL_DB })],
  controllers: [AdminController, KeyHandler],
  providers: [ControlRepository, ControlService, AdminAuthGuard, BootstrapService],
})
export class ControlModule {}
