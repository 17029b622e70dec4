import { z } from 'zod';

/** What a webhook endpoint may subscribe to: today the budgets' soft thresholds. */
export const WebhookEventType = z.enum(['budget.threshold_crossed']);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** An endpoint an organisation's alerts are POSTed to; its signing secret is never part of it. */
export const WebhookEndpoint = z.object({
  id: z.string(),
  orgId: z.string(),
  /** Only this budget's alerts; null: every budget of the org. */
  budgetId: z.string().nullable(),
  url: z.string(),
  eventTypes: z.array(WebhookEventType),
  enabled: z.boolean(),
  /** The secret's first characters, to tell secrets apart after a rotation. */
  secretPrefix: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

const EventTypes = z
  .array(WebhookEventType)
  .min(1)
  .refine((types) => new Set(types).size === types.length, { message: 'must not repeat an event type' });

export const CreateWebhookRequest = z.object({
  orgId: z.string().min(1),
  budgetId: z.string().nullable(),
  url: z.string().min(1).max(2048),
  eventTypes: EventTypes,
  enabled: z.boolean(),
});
export const UpdateWebhookRequest = z.object({
  endpointId: z.string(),
  changes: CreateWebhookRequest.pick({ url: true, eventTypes: true, enabled: true }).partial(),
});
export const WebhookIdRequest = z.object({ endpointId: z.string() });
export const WebhookQuery = z.union([z.object({ endpointId: z.string() }), z.object({ orgId: z.string() })]);
export type WebhookQuery = z.infer<typeof WebhookQuery>;

export const WebhookAnswer = z.object({ endpoint: WebhookEndpoint });
/** A created endpoint or a rotated secret: the only answers that carry the secret, shown once. */
export const WebhookWithSecret = z.object({ endpoint: WebhookEndpoint, secret: z.string() });
export const WebhookList = z.object({ endpoints: z.array(WebhookEndpoint) });

/** One event's delivery to one endpoint, metadata only: never the body nor the receiver's answer. */
export const WebhookDelivery = z.object({
  /** The delivery id (`x-polymux-webhook-id`), the same on every attempt. */
  id: z.string(),
  endpointId: z.string(),
  eventType: WebhookEventType,
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().nonnegative(),
  /** The last answer's HTTP status; null when none came (timeout, connection refused). */
  lastStatusCode: z.number().int().nullable(),
  /** Why the last attempt failed: an HTTP status line or an error class, never a response body. */
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
/** An endpoint's deliveries, newest first; `before` pages on (the last delivery of the page before). */
export const WebhookDeliveriesQuery = z.object({
  endpointId: z.string(),
  before: z.object({ createdAt: z.iso.datetime(), id: z.string().max(128) }).optional(),
  limit: z.number().int().min(1).max(101),
});
export const WebhookDeliveryList = z.object({ deliveries: z.array(WebhookDelivery) });
