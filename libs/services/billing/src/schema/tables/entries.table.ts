import type { ColumnType } from 'kysely';

import type { Int8, Int8Id } from '../columns';

/** One signed posting of a transaction to an account, in integer nano-USD. */
export interface EntriesTable {
  id: Int8Id;
  transaction_id: ColumnType<Int8, string, never>;
  account: string;
  amount: ColumnType<Int8, string, never>;
}
