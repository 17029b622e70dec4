import { AttemptsExhaustedError, PoisonMessageError, RetryLaterError } from './bus';
import { DeadLetterHeaders, deadLetterHeaders, deadLetterReason, redeliveryDelayMs, retryDelayMs } from './dead-letter';

describe('dead-letter policy', () => {
  it('retries a failure until the last delivery, a poison message never', () => {
    expect(deadLetterReason(new Error('x'), 1, 5)).toBeNull();
    expect(deadLetterReason(new Error('x'), 4, 5)).toBeNull();
    expect(deadLetterReason(new Error('x'), 5, 5)).toBe('max_deliveries');
    expect(deadLetterReason(new PoisonMessageError('usage.recorded.v1'), 1, 5)).toBe('poison');
    expect(deadLetterReason(new AttemptsExhaustedError('usage.recorded.v1', 3), 3, 5)).toBe('max_deliveries');
  });

  it("waits what a handler's RetryLaterError asks for, else the default backoff", () => {
    expect(redeliveryDelayMs(new RetryLaterError('x.v1', 7_500), 1, 1_000)).toBe(7_500);
    expect(redeliveryDelayMs(new Error('x'), 3, 1_000)).toBe(4_000);
  });

  it('backs off doubling from the base delay, capped at thirty seconds', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((deliveries) => retryDelayMs(deliveries, 1_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(retryDelayMs(3_000, 1_000)).toBe(30_000);
  });

  it('keeps the original headers but the NATS ones, and adds why the message died', () => {
    const headers = deadLetterHeaders(
      { traceparent: '00-abc-def-01', 'x-request-id': 'r1', 'nats-msg-id': 'm1' },
      { reason: 'poison', consumer: 'billing-usage-recorded-v1', deliveries: 1, errorType: 'PoisonMessageError' },
    );
    expect(headers).toEqual({
      traceparent: '00-abc-def-01',
      'x-request-id': 'r1',
      [DeadLetterHeaders.reason]: 'poison',
      [DeadLetterHeaders.consumer]: 'billing-usage-recorded-v1',
      [DeadLetterHeaders.deliveries]: '1',
      [DeadLetterHeaders.error]: 'PoisonMessageError',
    });
  });
});
