import type { ColumnType } from 'kysely';

import type { CreatedAt, Int8 } from '../columns';

type Int8Column = ColumnType<Int8, string, never>;

/** One charged call's usage: ids, route, tokens by kind, money in nano-USD, the caller's tags. Never content. */
export interface UsageTable {
  request_id: string;
  org_id: string;
  team_id: string | null;
  project_id: string;
  key_id: string;
  user_id: string | null;
  account_id: string;
  requested_model: string;
  model: string;
  provider: string;
  deployment_id: string;
  api: string;
  task: string;
  input_tokens: Int8Column;
  cached_input_tokens: Int8Column;
  cache_write_tokens: Int8Column;
  output_tokens: Int8Column;
  reasoning_tokens: Int8Column;
  list_cost: Int8Column;
  discount: Int8Column;
  charged: Int8Column;
  /** Written as JSON text; read as an object. */
  tags: ColumnType<Record<string, string>, string, never>;
  session_id: string | null;
  parent_request_id: string | null;
  outcome: string;
  stream: boolean;
  duration_ms: number;
  /** Written as ISO text (a Date from another realm does not serialise in PGlite); defaults to now(). */
  occurred_at: ColumnType<Date, string | undefined, never>;
  recorded_at: CreatedAt;
}
