import type { ColumnType } from 'kysely';

import type { CreatedAt, Int8Id } from '../columns';

export type TransactionKind = 'top_up' | 'charge' | 'overrun' | 'grant' | 'grant_expiry' | 'refund' | 'adjustment';

/** One ledger transaction; its entries sum to zero. Written once per idempotency key, never changed. */
export interface TransactionsTable {
  id: Int8Id;
  kind: TransactionKind;
  /** `top-up:<key>`, `charge:<request id>`, `overrun:<request id>`, `grant:<key>`, `grant-expiry:<grant>`, `refund:<key>`, `adjustment:<key>`. */
  idempotency_key: string;
  request_id: string | null;
  /** Why an operator recorded it: required for grants, refunds and adjustments. */
  reason: string | null;
  created_at: CreatedAt;
  /** Postgres transaction id (xid8) that wrote it (`default pg_current_xact_id()`); read it as text. */
  xid: ColumnType<string, never, never>;
}
