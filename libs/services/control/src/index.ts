export { ControlModule } from './control.module';
export { controlMigrations } from './schema/migrations';
