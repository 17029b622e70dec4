import type { Statement, StatementLine, StatementPart } from '@polymux/contracts';
import { STATEMENT_LINES } from '@polymux/contracts';

import type { TransactionKind } from '../schema/tables/transactions.table';
import type { StatementSums } from './statement.repository';

/** Which line each transaction kind's movement is shown on (charges and overruns both at list, below). */
const LINE_OF = {
  top_up: 'topUps',
  grant: 'grants',
  charge: 'charges',
  overrun: 'charges',
  refund: 'refunds',
  adjustment: 'adjustments',
  grant_expiry: 'grantExpiries',
} as const satisfies Record<TransactionKind, StatementLine>;

type Lines = Record<StatementLine, bigint>;

interface Part {
  opening: bigint;
  lines: Lines;
  closing: bigint;
}

const noLines = (): Lines => Object.fromEntries(STATEMENT_LINES.map((line) => [line, 0n])) as Lines;

/** Thrown when a statement's closing balance is not its opening plus its lines: never shown as a statement. */
export class StatementMismatch extends Error {}

/**
 * One account's part: the opening balance (every entry before the period), the period's movement
 * by line, and the closing balance the ledger sums on its own — which must equal the opening plus
 * the lines (a kind without a line, or a line counted twice, would break it). A charge shows at list:
 * what the customer paid and what the plan's discount paid for them; the discount comes back on
 * its own line.
 */
export const accountPart = (account: string, sums: StatementSums): Part => {
  const part: Part = { opening: 0n, lines: noLines(), closing: sums.closing.get(account) ?? 0n };
  for (const row of sums.kinds) {
    if (row.account !== account) continue;
    part.opening += row.before;
    part.lines[LINE_OF[row.kind]] += row.during - row.discount;
    part.lines.discounts += row.discount;
  }
  const expected = STATEMENT_LINES.reduce((sum, line) => sum + part.lines[line], part.opening);
  if (expected !== part.closing) {
    throw new StatementMismatch(
      `statement of ${account}: opening ${part.opening} plus lines ${expected - part.opening} is not the ledger's closing balance ${part.closing}`,
    );
  }
  return part;
};

const add = (left: Part, right: Part): Part => ({
  opening: left.opening + right.opening,
  lines: Object.fromEntries(STATEMENT_LINES.map((line) => [line, left.lines[line] + right.lines[line]])) as Lines,
  closing: left.closing + right.closing,
});

const partView = (part: Part): StatementPart => ({
  opening: part.opening.toString(),
  lines: Object.fromEntries(
    STATEMENT_LINES.map((line) => [line, part.lines[line].toString()]),
  ) as StatementPart['lines'],
  closing: part.closing.toString(),
});

/** The statement of `accounts` (in their order) from the ledger's sums, with totals over all of them. */
export const statementOf = (
  orgId: string,
  period: { from: string; to: string },
  accounts: string[],
  sums: StatementSums,
): Statement => {
  const parts = accounts.map((account) => ({ account, part: accountPart(account, sums) }));
  const totals = parts.reduce((sum, { part }) => add(sum, part), { opening: 0n, lines: noLines(), closing: 0n });
  return {
    orgId,
    ...period,
    accounts: parts.map(({ account, part }) => ({ accountId: account, ...partView(part) })),
    totals: partView(totals),
  };
};
