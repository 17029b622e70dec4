import type { Money } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

/** Accounts on the other side of every customer posting; never spendable, never hydrated. */
export const SYSTEM_ACCOUNT_PREFIX = 'system:';
export const FUNDING_ACCOUNT = `${SYSTEM_ACCOUNT_PREFIX}funding`;
export const REVENUE_ACCOUNT = `${SYSTEM_ACCOUNT_PREFIX}revenue`;
/** What plans give off list (enterprise discounts, free plans' calls): revenue earns list, this account funds the difference. */
export const DISCOUNTS_ACCOUNT = `${SYSTEM_ACCOUNT_PREFIX}discounts`;

/** One signed movement of integer nano-USD on an account. */
export interface Posting {
  account: string;
  amount: bigint;
}

export const isSystemAccount = (accountId: string): boolean => accountId.startsWith(SYSTEM_ACCOUNT_PREFIX);

export const assertCustomerAccount = (accountId: string): void => {
  if (accountId.length === 0 || isSystemAccount(accountId)) {
    throw new PolymuxException(ErrorCode.InvalidRequest, `${accountId || 'an empty id'} is not a customer account`, {
      param: 'accountId',
    });
  }
};

/** Parses a money field that must be non-negative (or, with `positive`, above zero). */
export const parseAmount = (value: Money, param: string, { positive = false } = {}): bigint => {
  const amount = BigInt(value);
  if (amount < 0n || (positive && amount === 0n)) {
    throw new PolymuxException(ErrorCode.InvalidRequest, `${param} must be ${positive ? 'positive' : 'zero or more'}`, {
      param,
    });
  }
  return amount;
};

/** Credits bought: the customer gains, funding gives. */
export const topUpPostings = (accountId: string, amount: bigint): Posting[] => [
  { account: accountId, amount },
  { account: FUNDING_ACCOUNT, amount: -amount },
];

/**
 * A call's actual cost: the customer pays `cost`, revenue earns it plus the plan's `discount`, which
 * the discounts account funds (no posting when there is none), so revenue shows list prices.
 */
export const chargePostings = (accountId: string, cost: bigint, discount = 0n): Posting[] => [
  { account: accountId, amount: -cost },
  { account: REVENUE_ACCOUNT, amount: cost + discount },
  ...(discount > 0n ? [{ account: DISCOUNTS_ACCOUNT, amount: -discount }] : []),
];

export const isBalanced = (postings: readonly Posting[]): boolean =>
  postings.reduce((sum, posting) => sum + posting.amount, 0n) === 0n;

const postingKey = (posting: Posting) => `${posting.account}\u0000${posting.amount}`;

/** Whether two transactions move the same amounts on the same accounts, in any order. */
export const samePostings = (left: readonly Posting[], right: readonly Posting[]): boolean => {
  const sorted = (postings: readonly Posting[]) => postings.map(postingKey).sort().join('\u0001');
  return sorted(left) === sorted(right);
};

/** Ledger idempotency keys: one transaction per top-up key, and one charge and at most one overrun per request. */
export const ledgerKeys = {
  topUp: (idempotencyKey: string) => `top-up:${idempotencyKey}`,
  charge: (requestId: string) => `charge:${requestId}`,
  overrun: (requestId: string) => `overrun:${requestId}`,
};
