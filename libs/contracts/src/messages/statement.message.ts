import { z } from 'zod';

import { Money } from './money';

/**
 * The lines of a statement, in the order it shows them. Each is what that kind of movement did to
 * the balance in the period (credits positive, debits negative), so a statement's closing balance
 * is its opening balance plus its lines: `charges` at list prices (charges and overruns, before the
 * plan's discount), `discounts` what the plan gave back of them.
 */
export const STATEMENT_LINES = [
  'topUps',
  'grants',
  'charges',
  'discounts',
  'refunds',
  'adjustments',
  'grantExpiries',
] as const;
export type StatementLine = (typeof STATEMENT_LINES)[number];

/** A calendar month, `2026-11`. */
export const StatementMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as "2026-11"');

/**
 * One org's statement over a period: either instants (`from` inclusive, `to` exclusive) or a
 * calendar month in `timezone`. Control sends the org's project accounts (it owns the org's projects).
 */
export const StatementQuery = z.object({
  orgId: z.string().min(1),
  accountIds: z.array(z.string().min(1)).max(10_000),
  period: z.union([
    z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
    z.object({ month: StatementMonth }),
  ]),
  timezone: z.string().default('UTC'),
});
export type StatementQuery = z.infer<typeof StatementQuery>;

export const StatementLines = z.object(
  Object.fromEntries(STATEMENT_LINES.map((line) => [line, Money])) as Record<StatementLine, typeof Money>,
);
export type StatementLines = z.infer<typeof StatementLines>;

/** Balances and movements in integer nano-USD: `closing` = `opening` + every line. */
export const StatementPart = z.object({ opening: Money, lines: StatementLines, closing: Money });
export type StatementPart = z.infer<typeof StatementPart>;

export const Statement = z.object({
  orgId: z.string(),
  /** The period's instants, ISO (`from` inclusive, `to` exclusive). */
  from: z.string(),
  to: z.string(),
  accounts: z.array(StatementPart.extend({ accountId: z.string() })),
  totals: StatementPart,
});
export type Statement = z.infer<typeof Statement>;
