import type { Migration } from 'kysely';

import * as createLedger from './1795253571105-CreateLedger';
import * as overrunAndCommitIds from './1796200000000-OverrunAndCommitIds';
import * as budgets from './1796500000000-Budgets';
import * as usageRows from './1796600000000-UsageRows';
import * as creditKinds from './1796650000000-CreditKinds';
import * as plans from './1796700000000-Plans';
import * as webhooks from './1796800000000-Webhooks';
import * as userBudgets from './1796950000000-UserBudgets';
import * as statementIndexes from './1797000000000-StatementIndexes';
import * as sessionIndex from './1797500000000-SessionIndex';

/** Billing's migrations, applied in key order to the `billing` schema. */
export const billingMigrations: Record<string, Migration> = {
  '1795253571105-CreateLedger': createLedger,
  '1796200000000-OverrunAndCommitIds': overrunAndCommitIds,
  '1796500000000-Budgets': budgets,
  '1796600000000-UsageRows': usageRows,
  '1796650000000-CreditKinds': creditKinds,
  '1796700000000-Plans': plans,
  '1796800000000-Webhooks': webhooks,
  '1796950000000-UserBudgets': userBudgets,
  '1797000000000-StatementIndexes': statementIndexes,
  '1797500000000-SessionIndex': sessionIndex,
};
