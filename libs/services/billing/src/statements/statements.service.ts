import { Injectable } from '@nestjs/common';
import type { Statement, StatementQuery } from '@polymux/contracts';
import { ErrorCode, PolymuxException, canonicalTimeZone } from '@polymux/contracts';

import { periodAt } from '../budgets/budget-period';
import { statementOf } from './statement-lines';
import { StatementRepository } from './statement.repository';

/**
 * A period's instants: given ones, or a calendar month in `timezone` (the budgets' calendar: the
 * month containing its 15th at noon UTC, which no zone's offset moves out of it).
 */
export const periodOf = (period: StatementQuery['period'], timezone: string): { from: string; to: string } => {
  if ('month' in period) {
    const zone = canonicalTimeZone(timezone);
    if (zone === undefined)
      throw new PolymuxException(ErrorCode.InvalidRequest, `${timezone} is not an IANA time zone`, {
        param: 'timezone',
      });
    const [year, month] = period.month.split('-').map(Number);
    const { startMs, endMs } = periodAt('monthly', zone, Date.UTC(year!, month! - 1, 15, 12));
    return { from: new Date(startMs).toISOString(), to: new Date(endMs).toISOString() };
  }
  const [from, to] = [Date.parse(period.from), Date.parse(period.to)];
  if (!(from < to)) throw new PolymuxException(ErrorCode.InvalidRequest, 'from must be before to', { param: 'from' });
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
};

/** Billing's statements (`billing.statement.query.v1`): the org's accounts' sums from the ledger, as lines. */
@Injectable()
export class Statements {
  constructor(private readonly repository: StatementRepository) {}

  async statement(query: StatementQuery): Promise<Statement> {
    const period = periodOf(query.period, query.timezone);
    const accounts = [...new Set(query.accountIds)];
    const sums = await this.repository.sums(accounts, period.from, period.to);
    return statementOf(query.orgId, period, accounts, sums);
  }
}
