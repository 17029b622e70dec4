import { ErrorCode } from '@polymux/contracts';
import fc from 'fast-check';

import {
  DebitSplitter,
  FUNDING_ACCOUNT,
  REVENUE_ACCOUNT,
  assertCustomerAccount,
  chargePostings,
  customerDelta,
  grantAccount,
  isBalanced,
  ownerOf,
  parseAmount,
  samePostings,
  topUpPostings,
} from './postings';

describe('ledger postings', () => {
  it('balances top-ups and charges to zero, exactly, beyond 2^53 nano-USD', () => {
    const huge = 2n ** 62n + 7n;
    expect(topUpPostings('acct', huge)).toEqual([
      { account: 'acct', amount: huge },
      { account: FUNDING_ACCOUNT, amount: -huge },
    ]);
    expect(chargePostings('acct', 1_500_000_001n)).toEqual([
      { account: 'acct', amount: -1_500_000_001n },
      { account: REVENUE_ACCOUNT, amount: 1_500_000_001n },
    ]);
    expect(isBalanced(topUpPostings('acct', huge))).toBe(true);
    expect(isBalanced(chargePostings('acct', 0n))).toBe(true);
    expect(isBalanced([{ account: 'acct', amount: 1n }])).toBe(false);
  });

  it('parses money strings without floating point and rejects negative amounts', () => {
    expect(parseAmount('9007199254740993', 'amount')).toBe(9_007_199_254_740_993n);
    expect(parseAmount('0', 'amount')).toBe(0n);
    expect(() => parseAmount('-1', 'amount')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest }));
    expect(() => parseAmount('0', 'amount', { positive: true })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidRequest, details: { param: 'amount' } }),
    );
  });

  it('compares transactions by their postings, whatever the order', () => {
    expect(samePostings(topUpPostings('a', 5n), [...topUpPostings('a', 5n)].reverse())).toBe(true);
    expect(samePostings(topUpPostings('a', 5n), topUpPostings('a', 6n))).toBe(false);
    expect(samePostings(topUpPostings('a', 5n), topUpPostings('b', 5n))).toBe(false);
  });

  it('keeps system accounts out of customer operations', () => {
    expect(() => assertCustomerAccount(REVENUE_ACCOUNT)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidRequest }),
    );
    expect(() => assertCustomerAccount('')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest }));
    expect(() => assertCustomerAccount('acct-1')).not.toThrow();
  });
});

describe('debits across grants', () => {
  const grant = (id: string, remaining: bigint, expiresAt: Date | null) => ({
    account: grantAccount('acct', id),
    remaining,
    expiresAt,
  });

  it('spends the earliest-expiring grant first, never-expiring grants next, paid credit last', () => {
    const splitter = new DebitSplitter('acct', [
      grant('forever', 5n, null),
      grant('late', 3n, new Date('2030-01-01')),
      grant('soon', 2n, new Date('2027-01-01')),
    ]);
    expect(splitter.debit(4n)).toEqual([
      { account: grantAccount('acct', 'soon'), amount: -2n },
      { account: grantAccount('acct', 'late'), amount: -2n },
    ]);
    expect(splitter.debit(8n)).toEqual([
      { account: grantAccount('acct', 'late'), amount: -1n },
      { account: grantAccount('acct', 'forever'), amount: -5n },
      { account: 'acct', amount: -2n },
    ]);
    expect(splitter.debit(3n)).toEqual([{ account: 'acct', amount: -3n }]);
  });

  it('balances a split charge and counts it whole on the customer account', () => {
    const postings = chargePostings('acct', 7n, { splitter: new DebitSplitter('acct', [grant('g', 4n, null)]) });
    expect(isBalanced(postings)).toBe(true);
    expect(customerDelta(postings, 'acct')).toBe(-7n);
    expect(new DebitSplitter('acct', []).debit(0n)).toEqual([{ account: 'acct', amount: 0n }]);
  });

  it('names grant sub-accounts under their owner, which no call may use as its account', () => {
    expect(ownerOf(grantAccount('project:p', 'g1'))).toBe('project:p');
    expect(ownerOf('project:p')).toBe('project:p');
    expect(() => assertCustomerAccount(grantAccount('project:p', 'g1'))).toThrow('is not a customer account');
  });
});

describe('debits across grants, for any grants and debits', () => {
  const grants = fc.array(
    fc.record({
      remaining: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      expiresAt: fc.option(fc.date({ min: new Date('2026-01-01'), max: new Date('2036-01-01'), noInvalidDate: true })),
    }),
    { maxLength: 6 },
  );

  it('spends every debit whole, keeps each grant at zero or more, and pays from paid credit only what the grants lack', () => {
    fc.assert(
      fc.property(grants, fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { maxLength: 10 }), (held, debits) => {
        const balances = held.map((grant, index) => ({ ...grant, account: grantAccount('acct', `g${index}`) }));
        const splitter = new DebitSplitter('acct', balances);
        const left = new Map(balances.map((grant) => [grant.account, grant.remaining]));
        for (const amount of debits) {
          const postings = splitter.debit(amount);
          expect(isBalanced([...postings, { account: 'system:revenue', amount }])).toBe(true);
          const paid = postings.find((posting) => posting.account === 'acct')?.amount ?? 0n;
          for (const posting of postings.filter((entry) => entry.account !== 'acct')) {
            left.set(posting.account, left.get(posting.account)! + posting.amount);
            expect(left.get(posting.account)!).toBeGreaterThanOrEqual(0n);
          }
          // Paid credit is spent only once every grant is empty.
          if (paid < 0n) expect([...left.values()].every((remaining) => remaining === 0n)).toBe(true);
        }
      }),
    );
  });
});
