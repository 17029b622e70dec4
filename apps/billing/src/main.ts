import './instrument';

import { BillingModule, billingMigrations, runReconcile } from '@polymux/billing';
import { migrateOnly, runService } from '@polymux/runtime';

if (process.argv.includes('--migrate-only')) migrateOnly('billing', 'billing', billingMigrations);
else if (process.argv.includes('--reconcile')) runReconcile();
else runService({ name: 'billing', modules: [BillingModule] });
