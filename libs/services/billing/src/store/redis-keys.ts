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
