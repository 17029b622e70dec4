import type { Migration } from 'kysely';

import * as createLedger from './1795253571105-CreateLedger';
import * as overrunAndCommitIds from './1796200000000-OverrunAndCommitIds';
import * as budgets from './1796500000000-Budgets';
import * as creditKinds from './1796650000000-CreditKinds';

/** Billing's migrations, applied in key order to the `billing` schema. */
export const billingMigrations: Record<string, Migration> = {
  '1795253571105-CreateLedger': createLedger,
  '1796200000000-OverrunAndCommitIds': overrunAndCommitIds,
  '1796500000000-Budgets': budgets,
  '1796650000000-CreditKinds': creditKinds,
};
