export { BillingModule } from './billing.module';
export { billingMigrations } from './schema/migrations';
