/**
 * Billing's Redis keys (after the configured `REDIS_KEY_PREFIX`). An account's keys share the hash
 * tag `{<account>}`; the expiry index is one sorted set across accounts.
 */
export const accountKeys = (accountId: string) => {
  const base = `billing:{${accountId}}`;
  return {
    /** Hash: `balance`, `reserved` (nano-USD) and `hydrated_at` (ms). */
    account: `${base}:account`,
    /** Hash: reservation id → held nano-USD. */
    holds: `${base}:holds`,
    /** String with a TTL: the ledger transaction `key` was applied. */
    applied: (key: string) => `${base}:applied:${key}`,
  };
};

/** Sorted set: `expiryMember(account, reservation)` scored by the hold's expiry (epoch ms). */
export const EXPIRY_INDEX = 'billing:hold-expiries';

export const expiryMember = (accountId: string, reservationId: string): string =>
  JSON.stringify([accountId, reservationId]);

export const parseExpiryMember = (member: string): { accountId: string; reservationId: string } | null => {
  try {
    const parsed: unknown = JSON.parse(member);
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === 'string')) {
      return { accountId: parsed[0], reservationId: parsed[1] };
    }
  } catch {
    // Not one of ours: the caller drops it.
  }
  return null;
};
