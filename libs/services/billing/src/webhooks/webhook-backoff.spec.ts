import { WEBHOOK_MAX_RETRY_DELAY_MS, webhookRetryDelayMs } from './webhook-backoff';

describe('webhook backoff', () => {
  it('grows fourfold from the base delay, capped at an hour', () => {
    const upper = [1, 2, 3, 4, 5, 6, 7, 8, 30].map((attempts) => webhookRetryDelayMs(attempts, 1_000, () => 1));
    expect(upper).toEqual([1_000, 4_000, 16_000, 64_000, 256_000, 1_024_000, 3_600_000, 3_600_000, 3_600_000]);
  });

  it('jitters within the upper half of each step', () => {
    expect(webhookRetryDelayMs(2, 1_000, () => 0)).toBe(2_000);
    expect(webhookRetryDelayMs(2, 1_000, () => 0.5)).toBe(3_000);
    for (let attempts = 1; attempts <= 10; attempts++) {
      const nominal = Math.min(1_000 * 4 ** (attempts - 1), WEBHOOK_MAX_RETRY_DELAY_MS);
      const delay = webhookRetryDelayMs(attempts, 1_000);
      expect(delay).toBeGreaterThanOrEqual(nominal / 2);
      expect(delay).toBeLessThanOrEqual(nominal);
    }
  });
});
