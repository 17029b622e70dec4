import type { CreatedAt, Int8Id } from '../columns';

export type TransactionKind = 'top_up' | 'charge';

/** One ledger transaction; its entries sum to zero. Written once per idempotency key, never changed. */
export interface TransactionsTable {
  id: Int8Id;
  kind: TransactionKind;
  /** `top-up:<key>` or `charge:<request id>`. */
  idempotency_key: string;
  request_id: string | null;
  created_at: CreatedAt;
}
