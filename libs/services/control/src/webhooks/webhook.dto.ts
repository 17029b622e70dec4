import { WebhookEventType } from '@polymux/contracts';
import { z } from 'zod';

import { PAGE_FIELDS } from '../pagination';

const EventTypes = z
  .array(WebhookEventType)
  .min(1)
  .refine((types) => new Set(types).size === types.length, { message: 'must not repeat an event type' });

/** `POST /admin/v1/webhooks`: an org's endpoint, or one budget's with `budgetId`. */
export const CreateWebhook = z.strictObject({
  orgId: z.string().min(1).max(64),
  budgetId: z.string().min(1).max(64).nullable().default(null),
  url: z.string().min(1).max(2048),
  eventTypes: EventTypes.default(['budget.threshold_crossed']),
  enabled: z.boolean().default(true),
});

/** `PATCH /admin/v1/webhooks/:id`: the org and budget stay (delete and create another endpoint to change them). */
export const UpdateWebhook = z
  .strictObject({
    url: z.string().min(1).max(2048).optional(),
    eventTypes: EventTypes.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, { message: 'name at least one of url, eventTypes, enabled' });

/** `GET /admin/v1/webhooks?orgId=…`. */
export const WebhookListParams = z.object({ ...PAGE_FIELDS, orgId: z.string().min(1).max(64) });

/** `GET /admin/v1/webhooks/:id/deliveries?limit=…&cursor=…`, newest first. */
export const DeliveryListParams = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: PAGE_FIELDS.cursor,
});
