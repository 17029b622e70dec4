/**
 * Billing's Redis keys (after the configured `REDIS_KEY_PREFIX`). Every key a script touches is one
 * account's and carries the hash tag `{<account>}`, so each script runs on one Redis Cluster slot.
 */
export const accountKeys = (accountId: string) => {
  const base = `billing:{${accountId}}`;
  return {
    /** Hash: `balance`, `reserved` (nano-USD) and the ledger snapshot it was hydrated from (`snap_*`). */
    account: `${base}:account`,
    /** Hash: reservation id → held nano-USD. */
    holds: `${base}:holds`,
    /** Sorted set: reservation id scored by its hold's expiry (epoch ms). */
    expiries: `${base}:expiries`,
    /** String with a TTL: the ledger transaction `key` was applied. */
    applied: (key: string) => `${base}:applied:${key}`,
  };
};

/**
 * Sorted set: account id scored by (at most) its earliest hold expiry, so the sweeper finds the
 * accounts with due holds. Only plain commands touch it, never a script with an account's keys.
 */
export const HOLD_ACCOUNTS_INDEX = 'billing:hold-accounts';

/**
 * An org's budget keys: every budget a call counts against is its org's, so one hash tag
 * `{budgets:<org>}` keeps each budget script on one Redis Cluster slot. (A call's balance is its
 * project's account, another slot: the two holds are separate scripts.)
 */
export const budgetKeys = (orgId: string) => {
  const base = `billing:{budgets:${orgId}}`;
  return {
    /** Hash: the org's budget revision, hydration snapshot and every budget's counters. */
    state: `${base}:state`,
    /** Hash: reservation id → `<held nano-USD>|<budget id>,<budget id>,…`. */
    holds: `${base}:holds`,
    /** Sorted set: reservation id scored by its hold's expiry (epoch ms). */
    expiries: `${base}:expiries`,
    /** String with a TTL: the charge `key` was counted. */
    applied: (key: string) => `${base}:applied:${key}`,
  };
};

/** Sorted set: org id scored by (at most) its earliest budget hold expiry, for the sweeper. */
export const BUDGET_HOLD_ORGS_INDEX = 'billing:budget-hold-orgs';
