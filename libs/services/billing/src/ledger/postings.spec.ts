import { ErrorCode } from '@polymux/contracts';

import {
  FUNDING_ACCOUNT,
  REVENUE_ACCOUNT,
  assertCustomerAccount,
  chargePostings,
  isBalanced,
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
