import './instrument';

import { BillingModule, billingMigrations } from '@polymux/billing';
import { migrateOnly, runService } from '@polymux/runtime';

if (process.argv.includes('--migrate-only')) migrateOnly('billing', 'billing', billingMigrations);
else runService({ name: 'billing', modules: [BillingModule] });
