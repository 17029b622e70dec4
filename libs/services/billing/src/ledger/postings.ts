import type { Money } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

/** Accounts on the other side of every customer posting; never spendable, never hydrated. */
export const SYSTEM_ACCOUNT_PREFIX = 'system:';
export const FUNDING_ACCOUNT = `${SYSTEM_ACCOUNT_PREFIX}funding`;
export const REVENUE_ACCOUNT = `${SYSTEM_ACCOUNT_PREFIX}revenue`;
/** What plans give off list (enterprise discounts, free plans' calls): revenue earns list, this account funds the difference. */
export const DISCOUNTS_ACCOUNT = `${SYSTEM_ACCOUNT_PREFIX}discounts`;

/** Gives grants and takes back their expired remainders: promotional credit is not funding. */
export const PROMOTIONS_ACCOUNT = `${SYSTEM_ACCOUNT_PREFIX}promotions`;
/** The other side of operators' adjustments. */
export const ADJUSTMENTS_ACCOUNT = `${SYSTEM_ACCOUNT_PREFIX}adjustments`;

/**
 * A grant's credit sits in a sub-account of the customer's, `<account>/grant:<id>`: its own balance
 * in the ledger, part of the one spendable total in the balance store.
 */
export const GRANT_SEPARATOR = '/grant:';
/** The first string after every `<account>/grant:…` (`;` follows `:`): the end of an account's range. */
export const GRANT_RANGE_END = '/grant;';
export const grantAccount = (accountId: string, grantId: string): string => `${accountId}${GRANT_SEPARATOR}${grantId}`;
/** The customer account an account belongs to: itself, or a grant sub-account's owner. */
export const ownerOf = (account: string): string => {
  const at = account.indexOf(GRANT_SEPARATOR);
  return at < 0 ? account : account.slice(0, at);
};

/** One signed movement of integer nano-USD on an account. */
export interface Posting {
  account: string;
  amount: bigint;
}

export const isSystemAccount = (accountId: string): boolean => accountId.startsWith(SYSTEM_ACCOUNT_PREFIX);

export const assertCustomerAccount = (accountId: string): void => {
  if (accountId.length === 0 || isSystemAccount(accountId) || ownerOf(accountId) !== accountId) {
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

/** What a grant still holds, in the order debits spend grants: earliest expiry first, never-expiring last. */
export interface GrantBalance {
  account: string;
  remaining: bigint;
  expiresAt: Date | null;
}

/**
 * Splits debits of one customer account across its grants, then its paid credit. Each debit spends
 * what the grants still hold (as left by the debits before it), earliest expiry first; the rest is
 * paid. A grant never goes below zero; only paid credit can (a recorded overrun).
 */
export class DebitSplitter {
  private readonly grants: GrantBalance[];

  constructor(
    private readonly accountId: string,
    grants: readonly GrantBalance[],
  ) {
    const expiry = (grant: GrantBalance) => grant.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    this.grants = grants
      .filter((grant) => grant.remaining > 0n)
      .map((grant) => ({ ...grant }))
      .sort((left, right) => expiry(left) - expiry(right) || (left.account < right.account ? -1 : 1));
  }

  /** The customer side of a debit of `amount`: one negative posting per sub-account it spends. */
  debit(amount: bigint): Posting[] {
    const postings: Posting[] = [];
    let left = amount;
    for (const grant of this.grants) {
      if (left === 0n) break;
      const spent = grant.remaining < left ? grant.remaining : left;
      if (spent === 0n) continue;
      grant.remaining -= spent;
      left -= spent;
      postings.push({ account: grant.account, amount: -spent });
    }
    if (left > 0n || postings.length === 0) postings.push({ account: this.accountId, amount: -left });
    return postings;
  }
}

/**
 * A call's actual cost: the customer pays `cost` (its grants first, when a splitter is given),
 * revenue earns it plus the plan's `discount`, which the discounts account funds (no posting when
 * there is none), so revenue shows list prices.
 */
export const chargePostings = (
  accountId: string,
  cost: bigint,
  { discount = 0n, splitter }: { discount?: bigint; splitter?: DebitSplitter } = {},
): Posting[] => [
  ...(splitter ? splitter.debit(cost) : [{ account: accountId, amount: -cost }]),
  { account: REVENUE_ACCOUNT, amount: cost + discount },
  ...(discount > 0n ? [{ account: DISCOUNTS_ACCOUNT, amount: -discount }] : []),
];

/** Promotional credit: the grant's sub-account gains, promotions gives. */
export const grantPostings = (grantAccountId: string, amount: bigint): Posting[] => [
  { account: grantAccountId, amount },
  { account: PROMOTIONS_ACCOUNT, amount: -amount },
];

/** An expired grant's remainder goes back to promotions. */
export const grantExpiryPostings = (grantAccountId: string, remaining: bigint): Posting[] => [
  { account: grantAccountId, amount: -remaining },
  { account: PROMOTIONS_ACCOUNT, amount: remaining },
];

/** Part of a call's charge given back as paid credit: revenue returns it. */
export const refundPostings = (accountId: string, amount: bigint): Posting[] => [
  { account: accountId, amount },
  { account: REVENUE_ACCOUNT, amount: -amount },
];

/** A signed correction: a credit goes to paid credit; a debit spends like a charge (grants first). */
export const adjustmentPostings = (accountId: string, amount: bigint, splitter: DebitSplitter): Posting[] =>
  amount >= 0n
    ? [
        { account: accountId, amount },
        { account: ADJUSTMENTS_ACCOUNT, amount: -amount },
      ]
    : [...splitter.debit(-amount), { account: ADJUSTMENTS_ACCOUNT, amount: -amount }];

/** What a transaction moved on one customer account, its grant sub-accounts included. */
export const customerDelta = (postings: readonly Posting[], accountId: string): bigint =>
  postings.reduce((sum, posting) => (ownerOf(posting.account) === accountId ? sum + posting.amount : sum), 0n);

export const isBalanced = (postings: readonly Posting[]): boolean =>
  postings.reduce((sum, posting) => sum + posting.amount, 0n) === 0n;

const postingKey = (posting: Posting) => `${posting.account}\u0000${posting.amount}`;

/** Whether two transactions move the same amounts on the same accounts, in any order. */
export const samePostings = (left: readonly Posting[], right: readonly Posting[]): boolean => {
  const sorted = (postings: readonly Posting[]) => postings.map(postingKey).sort().join('\u0001');
  return sorted(left) === sorted(right);
};

/**
 * Ledger idempotency keys: one transaction per top-up, grant, refund or adjustment key, one charge
 * and at most one overrun per request, and one expiry per grant.
 */
export const ledgerKeys = {
  topUp: (idempotencyKey: string) => `top-up:${idempotencyKey}`,
  grant: (idempotencyKey: string) => `grant:${idempotencyKey}`,
  grantExpiry: (grantId: string) => `grant-expiry:${grantId}`,
  refund: (idempotencyKey: string) => `refund:${idempotencyKey}`,
  adjustment: (idempotencyKey: string) => `adjustment:${idempotencyKey}`,
  charge: (requestId: string) => `charge:${requestId}`,
  overrun: (requestId: string) => `overrun:${requestId}`,
};
