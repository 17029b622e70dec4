import type { ServiceName } from './contract';

/**
 * How names on NATS are formed, shared by the NATS bus and the permission table derived from the
 * subject map, so the two can never disagree. `prefix` is `NATS_SUBJECT_PREFIX` (empty: none).
 */
export const NatsNames = {
  /** A subject in the deployment's namespace; inboxes are never prefixed. */
  subject: (prefix: string, subject: string): string =>
    prefix && !subject.startsWith('_INBOX.') ? `${prefix}.${subject}` : subject,
  /** A JetStream stream in the deployment's namespace (stream names allow no dots). */
  stream: (prefix: string, stream: string): string =>
    prefix ? `${prefix.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_${stream}` : stream,
  /** The durable consumer through which `consumer` reads `subject`. */
  consumer: (consumer: string, subject: string): string => `${consumer}-${subject.replace(/\./g, '-')}`,
  /**
   * Where a service's replies, acks and pulled messages arrive: its own inbox namespace, so each
   * service may subscribe only to inboxes it created (nobody else reads its replies).
   */
  inboxPrefix: (prefix: string, service: ServiceName): string =>
    prefix ? `_INBOX.${prefix}.${service}` : `_INBOX.${service}`,
} as const;
