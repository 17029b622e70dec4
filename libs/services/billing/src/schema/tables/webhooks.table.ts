import type { WebhookEventType } from '@polymux/contracts';
import type { ColumnType, Generated } from 'kysely';

import type { CreatedAt } from '../columns';

/** Where an org's (or one budget's) alerts are POSTed, and the secret they are signed with. */
export interface WebhookEndpointsTable {
  id: Generated<string>;
  org_id: string;
  /** Only this budget's alerts; null: all of the org's. */
  budget_id: string | null;
  url: string;
  event_types: WebhookEventType[];
  enabled: boolean;
  /** Sealed with the credentials key (`secret_sealed`), or as generated when none is configured. */
  secret: string;
  secret_sealed: boolean;
  secret_prefix: string;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event's delivery to one endpoint: metadata only, never a body. */
export interface WebhookDeliveriesTable {
  delivery_id: string;
  endpoint_id: string;
  event_type: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, never, Date>;
  delivered_at: Date | null;
}
