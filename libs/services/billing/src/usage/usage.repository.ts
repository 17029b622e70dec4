import { Inject, Injectable } from '@nestjs/common';
import type { SessionQuery, UsageCallsQuery, UsageReportQuery } from '@polymux/contracts';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';

import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import type { UsageTable } from '../schema/tables/usage.table';
import { sessionCallsQuery, sessionTotalsQuery } from './session-query';
import { callsQuery, reportQuery } from './usage-query';

/** A report row as Postgres answers it: the keys `k0…` (bucket first), then the totals as text. */
export type ReportRow = Record<string, unknown> & {
  calls: string;
  input_tokens: string;
  cached_input_tokens: string;
  cache_write_tokens: string;
  output_tokens: string;
  reasoning_tokens: string;
  list_cost: string;
  discount: string;
  charged: string;
  /** With a reference pricing: the rows' cost on it. */
  reference_cost?: string;
};

/** A session's totals in one org: the report's totals, its summed latency and when it began and ended. */
export type SessionTotalsRow = ReportRow & {
  org_id: string;
  latency_ms: string;
  started_at: Date;
  ended_at: Date;
};

export type SessionCallRow = Selectable<UsageTable> & { started_at: Date };

const byRequestId = (left: Insertable<UsageTable>, right: Insertable<UsageTable>) =>
  left.request_id < right.request_id ? -1 : left.request_id > right.request_id ? 1 : 0;

/** Usage rows' I/O: the settlement's idempotent insert and the report queries. */
@Injectable()
export class UsageRepository {
  constructor(@Inject(BILLING_DB) private readonly db: Kysely<DB>) {}

  /**
   * One multi-row insert in the settlement's transaction; a request id already recorded (a
   * redelivery) is skipped. In request id order, like the ledger's rows, so replicas never deadlock.
   */
  async insert(trx: Transaction<DB>, rows: Insertable<UsageTable>[]): Promise<void> {
    if (rows.length === 0) return;
    await trx
      .insertInto('usage')
      .values([...rows].sort(byRequestId))
      .onConflict((conflict) => conflict.column('request_id').doNothing())
      .execute();
  }

  report(query: UsageReportQuery): Promise<ReportRow[]> {
    return reportQuery(this.db, query).$castTo<ReportRow>().execute();
  }

  calls(query: UsageCallsQuery): Promise<Array<Selectable<UsageTable>>> {
    return callsQuery(this.db, query).execute();
  }

  sessionTotals(query: SessionQuery): Promise<SessionTotalsRow[]> {
    return sessionTotalsQuery(this.db, query).$castTo<SessionTotalsRow>().execute();
  }

  sessionCalls(orgId: string, query: SessionQuery): Promise<SessionCallRow[]> {
    return sessionCallsQuery(this.db, orgId, query).execute();
  }
}
