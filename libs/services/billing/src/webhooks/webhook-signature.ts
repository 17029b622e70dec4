import { createHmac } from 'node:crypto';

/** The headers of every webhook POST; receivers de-duplicate on the id, the same on every attempt. */
export const WebhookHeaders = {
  id: 'x-polymux-webhook-id',
  /** Unix seconds of this attempt: receivers refuse old ones (replays). */
  timestamp: 'x-polymux-webhook-timestamp',
  signature: 'x-polymux-webhook-signature',
} as const;

/** `v1=` and the hex HMAC-SHA256, keyed with the endpoint's secret, of `<timestamp>.<body>`. */
export const signWebhook = (secret: string, timestamp: string, body: string): string =>
  `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
