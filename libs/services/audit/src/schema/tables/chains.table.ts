import type { ColumnType } from 'kysely';

import type { Int8 } from './records.table';

/**
 * The head of each hash chain (one per organisation, one for records without an organisation, and
 * `legacy` for records stored before chains were per tenant). Locked row by row while appending.
 * A trigger lets a head only move forward onto a stored record, and never be deleted.
 */
export interface ChainsTable {
  chain_id: string;
  /** `hash` of the chain's last record, or the genesis hash while it has none. */
  head_hash: string;
  /** Number of records in the chain: the `chain_pos` of its last record. */
  length: ColumnType<Int8, number, number>;
}
