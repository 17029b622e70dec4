/** The longest wait between two attempts of one webhook delivery. */
export const WEBHOOK_MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Wait before the attempt after attempt `attempts` failed: `baseMs` times 4^(attempts-1), capped at
 * an hour, then "equal jitter" (a random point in its upper half), so that endpoints that failed
 * together (an outage of theirs) are not all retried in the same instant. With the defaults (1 s,
 * 8 attempts) a delivery is retried for about an hour and a half.
 */
export const webhookRetryDelayMs = (attempts: number, baseMs: number, random: () => number = Math.random): number => {
  const nominal = Math.min(baseMs * 4 ** Math.min(Math.max(0, attempts - 1), 20), WEBHOOK_MAX_RETRY_DELAY_MS);
  return Math.round(nominal / 2 + (random() * nominal) / 2);
};
