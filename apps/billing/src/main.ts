import './instrument';

import { BillingModule, billingMigrations } from '@polymux/billing';
import { runService } from '@polymux/runtime';

import { migrateOnly } from './migrate-only';

if (process.argv.includes('--migrate-only')) migrateOnly('billing', 'billing', billingMigrations);
else runService({ name: 'billing', modules: [BillingModule] });
