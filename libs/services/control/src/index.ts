export { ControlModule } from './control.module';
export { controlMigrations } from './schema/migrations';
export { adminApiDocument } from './openapi/admin-api-document';
