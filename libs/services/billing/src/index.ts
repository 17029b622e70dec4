export { BillingModule } from './billing.module';
export { billingMigrations } from './schema/migrations';
export type { Difference, KnownUsage, ReconcileOptions } from './reconciliation/reconcile';
export { reconcile } from './reconciliation/reconcile';
export { runReconcile } from './reconciliation/reconcile.command';
