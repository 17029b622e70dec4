import { metrics } from '@opentelemetry/api';

import type { BusHeaders } from './bus';
import { AttemptsExhaustedError, PoisonMessageError, RetryLaterError } from './bus';

export type DeadLetterReason = 'poison' | 'max_deliveries';

/**
 * Deliveries of a durable event before it is dead-lettered, unless configured otherwise: with the
 * 30 s cap below, about a day. A usage event is a charge, so an outage of a dependency (Postgres
 * down for hours) must be ridden out, not turned into an uncharged call; billing refuses new
 * reservations meanwhile (settlement lag), so nothing is overspent while events wait.
 */
export const DEFAULT_MAX_DELIVERIES = 3_000;

/**
 * The longest wait before a redelivery: short enough that settlement resumes well within billing's
 * settlement-lag threshold (60 s by default) once the dependency is back.
 */
const MAX_RETRY_DELAY_MS = 30_000;

/** Wait before delivery `deliveries + 1`: doubling from `baseMs`, capped at 30 s. */
export const retryDelayMs = (deliveries: number, baseMs: number): number =>
  Math.min(baseMs * 2 ** Math.min(Math.max(0, deliveries - 1), 30), MAX_RETRY_DELAY_MS);

/** Wait before the next delivery of a failed one: the handler's own (`RetryLaterError`), else `retryDelayMs`. */
export const redeliveryDelayMs = (error: unknown, deliveries: number, baseMs: number): number =>
  error instanceof RetryLaterError ? error.delayMs : retryDelayMs(deliveries, baseMs);

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
  if (error instanceof AttemptsExhaustedError) return 'max_deliveries';
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
