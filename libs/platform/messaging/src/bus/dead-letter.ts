import { metrics } from '@opentelemetry/api';

import type { BusHeaders } from './bus';
import { PoisonMessageError } from './bus';

export type DeadLetterReason = 'poison' | 'max_deliveries';

/** Deliveries of a durable event before it is dead-lettered, unless configured otherwise. */
export const DEFAULT_MAX_DELIVERIES = 5;

/** The longest wait before a redelivery. */
const MAX_RETRY_DELAY_MS = 10 * 60_000;

/**
 * Wait before delivery `deliveries + 1`: growing tenfold from `baseMs`, so the default five
 * deliveries over NATS (1 s, 10 s, 100 s, 10 min apart) ride out about twelve minutes of a
 * dependency being down (a database failover) before an event is given up on.
 */
export const retryDelayMs = (deliveries: number, baseMs: number): number =>
  Math.min(baseMs * 10 ** Math.max(0, deliveries - 1), MAX_RETRY_DELAY_MS);

export const DeadLetterHeaders = {
  reason: 'polymux-dead-letter-reason',
  consumer: 'polymux-dead-letter-consumer',
  deliveries: 'polymux-dead-letter-deliveries',
  /** The error's class or code, never its message (it may echo content). */
  error: 'polymux-dead-letter-error',
} as const;

/** Why a failed delivery ends here, or `null` when it is retried. */
export const deadLetterReason = (
  error: unknown,
  deliveries: number,
  maxDeliveries: number,
): DeadLetterReason | null => {
  if (error instanceof PoisonMessageError) return 'poison';
  return deliveries >= maxDeliveries ? 'max_deliveries' : null;
};

/** Headers of a dead letter: the original ones (trace context, request id) plus why it died. */
export const deadLetterHeaders = (
  original: BusHeaders,
  details: { reason: DeadLetterReason; consumer: string; deliveries: number; errorType: string },
): BusHeaders => {
  const headers: BusHeaders = {};
  for (const [key, value] of Object.entries(original)) if (!key.startsWith('nats-')) headers[key] = value;
  headers[DeadLetterHeaders.reason] = details.reason;
  headers[DeadLetterHeaders.consumer] = details.consumer;
  headers[DeadLetterHeaders.deliveries] = String(details.deliveries);
  headers[DeadLetterHeaders.error] = details.errorType;
  return headers;
};

/**
 * Counts a dead letter by subject (a contract's subject, no ids), consumer and reason. The meter is
 * looked up per call: dead letters are rare, and a meter taken at import would stay a no-op when
 * the SDK starts later.
 */
export const countDeadLetter = (subject: string, consumer: string, reason: DeadLetterReason): void => {
  metrics
    .getMeter('@polymux/messaging')
    .createCounter('polymux.messaging.dead_letters', {
      description: 'Durable events given up on: failed too often or invalid',
    })
    .add(1, { 'messaging.destination.name': subject, 'messaging.consumer.group.name': consumer, reason });
};
