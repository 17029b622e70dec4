import type { Statement } from '@polymux/contracts';
import { STATEMENT_COLUMNS, statementCsv, statementView } from './statement.views';

const lines = (values: Partial<Statement['totals']['lines']>): Statement['totals']['lines'] => ({
  topUps: '0',
  grants: '0',
  charges: '0',
  discounts: '0',
  refunds: '0',
  adjustments: '0',
  grantExpiries: '0',
  ...values,
});

const statement: Statement = {
  orgId: 'org-1',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  accounts: [
    {
      accountId: 'project:p1',
      opening: '1000000000',
      lines: lines({ topUps: '2500000000', charges: '-100000', discounts: '10000' }),
      closing: '3499910000',
    },
    { accountId: 'project:p2', opening: '0', lines: lines({ grants: '5' }), closing: '5' },
  ],
  totals: {
    opening: '1000000000',
    lines: lines({ topUps: '2500000000', grants: '5', charges: '-100000', discounts: '10000' }),
    closing: '3499910005',
  },
};
const projects = new Map([
  ['project:p1', { id: 'p1', name: '=cmd|app' }],
  ['project:p2', { id: 'p2', name: 'web' }],
]);

describe('statement views', () => {
  it('shows money as USD strings and nano-USD, lines in a stable order', () => {
    const view = statementView(statement, projects, { period: '2026-11', timezone: 'UTC' });
    expect(view.projects[0]).toMatchObject({
      projectId: 'p1',
      openingBalanceUsd: '1',
      openingBalanceNanoUsd: '1000000000',
      closingBalanceUsd: '3.49991',
    });
    expect(view.projects[0]!.lines.map(({ line, amountUsd }) => `${line}=${amountUsd}`)).toEqual([
      'top_ups=2.5',
      'grants=0',
      'charges=-0.0001',
      'discounts=0.00001',
      'refunds=0',
      'adjustments=0',
      'grant_expiries=0',
    ]);
    expect(view.totals).toMatchObject({ closingBalanceNanoUsd: '3499910005', closingBalanceUsd: '3.499910005' });
  });

  it('writes one CSV row per project and line, then the totals, in a stable column order', () => {
    // No cell of this statement needs quoting: rows and cells split plainly.
    const rows = statementCsv(statement, projects)
      .trimEnd()
      .split('\n')
      .map((row) => row.split(','));
    expect(rows[0]).toEqual([...STATEMENT_COLUMNS]);
    expect(rows).toHaveLength(1 + 3 * 9);
    expect(rows[1]).toEqual([
      'project',
      'p1',
      "'=cmd|app",
      statement.from,
      statement.to,
      'opening_balance',
      '1',
      '1000000000',
    ]);
    expect(rows.slice(1, 10).map((row) => row[5])).toEqual([
      'opening_balance',
      'top_ups',
      'grants',
      'charges',
      'discounts',
      'refunds',
      'adjustments',
      'grant_expiries',
      'closing_balance',
    ]);
    expect(rows[4]).toEqual([
      'project',
      'p1',
      "'=cmd|app",
      statement.from,
      statement.to,
      'charges',
      '-0.0001',
      '-100000',
    ]);
    expect(rows[12]).toEqual(['project', 'p2', 'web', statement.from, statement.to, 'grants', '0.000000005', '5']);
    expect(rows.at(-1)).toEqual([
      'total',
      '',
      '',
      statement.from,
      statement.to,
      'closing_balance',
      '3.499910005',
      '3499910005',
    ]);
  });
});
