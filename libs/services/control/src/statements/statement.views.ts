import type { Statement, StatementLine, StatementPart } from '@polymux/contracts';
import { STATEMENT_LINES, nanoToUsd } from '@polymux/contracts';
import { stringify } from 'csv-stringify/sync';

import type { StatementProject } from './statement.service';

/** Each line's name in the admin API, JSON and CSV alike. */
const LINE_NAMES = {
  topUps: 'top_ups',
  grants: 'grants',
  charges: 'charges',
  discounts: 'discounts',
  refunds: 'refunds',
  adjustments: 'adjustments',
  grantExpiries: 'grant_expiries',
} as const satisfies Record<StatementLine, string>;

/** A part as the admin API shows it: USD strings for people, nano-USD for programs; lines in the statement's order. */
const partView = (part: StatementPart) => ({
  openingBalanceUsd: nanoToUsd(BigInt(part.opening)),
  openingBalanceNanoUsd: part.opening,
  lines: STATEMENT_LINES.map((line) => ({
    line: LINE_NAMES[line],
    amountUsd: nanoToUsd(BigInt(part.lines[line])),
    amountNanoUsd: part.lines[line],
  })),
  closingBalanceUsd: nanoToUsd(BigInt(part.closing)),
  closingBalanceNanoUsd: part.closing,
});

/** What the statement's period was asked as: echoed beside the instants it resolved to. */
export interface StatementAsked {
  period: string | null;
  timezone: string;
}

export const statementView = (
  statement: Statement,
  projects: Map<string, StatementProject>,
  asked: StatementAsked,
) => ({
  object: 'statement' as const,
  orgId: statement.orgId,
  from: statement.from,
  to: statement.to,
  period: asked.period,
  timezone: asked.timezone,
  currency: 'USD' as const,
  projects: statement.accounts.map(({ accountId, ...part }) => ({
    projectId: projects.get(accountId)?.id ?? accountId,
    projectName: projects.get(accountId)?.name ?? null,
    ...partView(part),
  })),
  totals: partView(statement.totals),
});

export const STATEMENT_COLUMNS = [
  'scope',
  'project_id',
  'project_name',
  'from',
  'to',
  'line',
  'amount_usd',
  'amount_nano_usd',
] as const;

/** Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first), prefixed with `'`. */
const formulaSafe = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** A part's rows: its opening balance, each line in order, its closing balance. */
const partRows = (part: StatementPart): Array<[string, string]> => [
  ['opening_balance', part.opening],
  ...STATEMENT_LINES.map((line): [string, string] => [LINE_NAMES[line], part.lines[line]]),
  ['closing_balance', part.closing],
];

/**
 * The statement as CSV, columns in `STATEMENT_COLUMNS` order: one row per project and line
 * (opening and closing balances included), then the totals' rows (`scope` = `total`, no project).
 * A project's name that a spreadsheet would read as a formula is prefixed with `'` (amounts are
 * numbers, a negative one stays as it is).
 */
export const statementCsv = (statement: Statement, projects: Map<string, StatementProject>): string => {
  const rows = (scope: string, id: string, name: string, part: StatementPart) =>
    partRows(part).map(([line, nano]) => [
      scope,
      id,
      name,
      statement.from,
      statement.to,
      line,
      nanoToUsd(BigInt(nano)),
      nano,
    ]);
  return stringify([
    [...STATEMENT_COLUMNS],
    ...statement.accounts.flatMap(({ accountId, ...part }) =>
      rows('project', projects.get(accountId)?.id ?? accountId, formulaSafe(projects.get(accountId)?.name ?? ''), part),
    ),
    ...rows('total', '', '', statement.totals),
  ]);
};
