import type { ColumnType } from 'kysely';

import type { CreatedAt, Int8 } from '../columns';

/** A grant of promotional credit: its own sub-account of the customer's, spent first, optionally expiring. */
export interface GrantsTable {
  /** Derived from the grant's idempotency key, so a retried grant names the same sub-account. */
  id: string;
  /** The customer account whose spendable total includes the grant. */
  account: string;
  /** `<account>/grant:<id>`: where the grant's credit sits in the ledger. */
  sub_account: string;
  transaction_id: ColumnType<Int8, string, never>;
  /** null: never expires. */
  expires_at: Date | null;
  created_at: CreatedAt;
}
