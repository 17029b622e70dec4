import type { TransactionKind } from '../schema/tables/transactions.table';
import { StatementMismatch, accountPart, statementOf } from './statement-lines';
import type { KindSums, StatementSums } from './statement.repository';
import { periodOf } from './statements.service';

const row = (account: string, kind: TransactionKind, before: bigint, during: bigint, discount = 0n): KindSums => ({
  account,
  kind,
  before,
  during,
  discount,
});

/** Sums whose closing balances are what the rows add up to, as the ledger's would be. */
const sums = (kinds: KindSums[]): StatementSums => {
  const closing = new Map<string, bigint>();
  for (const { account, before, during } of kinds) closing.set(account, (closing.get(account) ?? 0n) + before + during);
  return { kinds, closing };
};

describe('statement lines', () => {
  it('shows charges at list with the discount on its own line, every kind on its line', () => {
    const part = accountPart(
      'a',
      sums([
        row('a', 'top_up', 1_000n, 500n),
        row('a', 'grant', 0n, 300n),
        // Charged 90 of a list price of 100, plus an earlier charge of 40 before the period.
        row('a', 'charge', -40n, -90n, 10n),
        row('a', 'overrun', 0n, -5n),
        row('a', 'refund', 0n, 20n),
        row('a', 'adjustment', 7n, -3n),
        row('a', 'grant_expiry', 0n, -200n),
        row('b', 'top_up', 9n, 9n),
      ]),
    );
    expect(part).toEqual({
      opening: 967n,
      lines: {
        topUps: 500n,
        grants: 300n,
        charges: -105n,
        discounts: 10n,
        refunds: 20n,
        adjustments: -3n,
        grantExpiries: -200n,
      },
      closing: 967n + 500n + 300n - 95n + 20n - 3n - 200n,
    });
  });

  it("refuses a statement whose opening plus lines is not the ledger's closing balance", () => {
    const off = sums([row('a', 'top_up', 100n, 50n)]);
    off.closing.set('a', 151n);
    expect(() => accountPart('a', off)).toThrow(StatementMismatch);
  });

  it('answers an account without entries as zero, and totals every account', () => {
    const statement = statementOf(
      'org',
      { from: 'f', to: 't' },
      ['a', 'b', 'c'],
      sums([row('a', 'top_up', 100n, 50n), row('b', 'charge', -10n, -20n, 5n)]),
    );
    expect(statement.accounts.map(({ accountId, opening, closing }) => [accountId, opening, closing])).toEqual([
      ['a', '100', '150'],
      ['b', '-10', '-30'],
      ['c', '0', '0'],
    ]);
    expect(statement.accounts[1]!.lines).toMatchObject({ charges: '-25', discounts: '5' });
    expect(statement.totals).toEqual({
      opening: '90',
      lines: {
        topUps: '50',
        grants: '0',
        charges: '-25',
        discounts: '5',
        refunds: '0',
        adjustments: '0',
        grantExpiries: '0',
      },
      closing: '120',
    });
  });
});

describe('statement periods', () => {
  it('resolves a calendar month in a time zone, daylight-saving months included', () => {
    expect(periodOf({ month: '2026-11' }, 'UTC')).toEqual({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    // Berlin: UTC+2 until the last Sunday of October, UTC+1 after.
    expect(periodOf({ month: '2026-10' }, 'Europe/Berlin')).toEqual({
      from: '2026-09-30T22:00:00.000Z',
      to: '2026-10-31T23:00:00.000Z',
    });
    expect(periodOf({ month: '2026-12' }, 'Pacific/Kiritimati')).toEqual({
      from: '2026-11-30T10:00:00.000Z',
      to: '2026-12-31T10:00:00.000Z',
    });
  });

  it('normalises instants and refuses an empty or reversed range or an unknown zone', () => {
    expect(periodOf({ from: '2026-11-01T01:00:00+01:00', to: '2026-11-02T00:00:00Z' }, 'UTC')).toEqual({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
    });
    expect(() => periodOf({ from: '2026-11-02T00:00:00Z', to: '2026-11-02T00:00:00Z' }, 'UTC')).toThrow(
      'from must be before to',
    );
    expect(() => periodOf({ month: '2026-11' }, 'Mars/Olympus')).toThrow('not an IANA time zone');
  });
});
