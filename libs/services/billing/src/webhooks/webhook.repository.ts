import { Inject, Injectable } from '@nestjs/common';
import type { WebhookEventType } from '@polymux/contracts';
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';

import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from '../schema/tables/webhooks.table';

export type StoredEndpoint = Selectable<WebhookEndpointsTable>;
export type StoredDelivery = Selectable<WebhookDeliveriesTable>;
export type EndpointChanges = Pick<
  Updateable<WebhookEndpointsTable>,
  'url' | 'event_types' | 'enabled' | 'secret' | 'secret_sealed' | 'secret_prefix'
>;
/** One attempt's result, as the delivery row keeps it. */
export type AttemptRecord = Pick<
  Insertable<WebhookDeliveriesTable>,
  'delivery_id' | 'endpoint_id' | 'event_type' | 'status' | 'attempts' | 'last_status_code' | 'last_error'
>;

/** Webhook endpoints and their deliveries' I/O. No rules here. */
@Injectable()
export class WebhookRepository {
  constructor(@Inject(BILLING_DB) private readonly db: Kysely<DB>) {}

  insert(values: Insertable<WebhookEndpointsTable>): Promise<StoredEndpoint> {
    return this.db.insertInto('webhook_endpoints').values(values).returningAll().executeTakeFirstOrThrow();
  }

  update(id: string, changes: EndpointChanges): Promise<StoredEndpoint | undefined> {
    return this.db
      .updateTable('webhook_endpoints')
      .set({ ...changes, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  delete(id: string): Promise<StoredEndpoint | undefined> {
    return this.db.deleteFrom('webhook_endpoints').where('id', '=', id).returningAll().executeTakeFirst();
  }

  find(id: string): Promise<StoredEndpoint | undefined> {
    return this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listByOrg(orgId: string): Promise<StoredEndpoint[]> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** The enabled endpoints an org's event of `budgetId` goes to: the org's own and the budget's. */
  subscribed(orgId: string, budgetId: string, eventType: WebhookEventType): Promise<StoredEndpoint[]> {
    return this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('enabled', '=', true)
      .where((eb) => eb.or([eb('budget_id', 'is', null), eb('budget_id', '=', budgetId)]))
      .where(sql<boolean>`${eventType} = any(event_types)`)
      .execute();
  }

  /** Where one event's delivery stands at each endpoint it reached already. */
  async deliveriesOf(deliveryId: string): Promise<Map<string, StoredDelivery>> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .execute();
    return new Map(rows.map((row) => [row.endpoint_id, row]));
  }

  recordAttempt(record: AttemptRecord): Promise<void> {
    const delivered = record.status === 'delivered' ? sql<Date>`now()` : null;
    return this.db
      .insertInto('webhook_deliveries')
      .values({ ...record, delivered_at: delivered })
      .onConflict((conflict) =>
        conflict.columns(['delivery_id', 'endpoint_id']).doUpdateSet({
          status: record.status,
          attempts: record.attempts,
          last_status_code: record.last_status_code,
          last_error: record.last_error,
          delivered_at: delivered,
          updated_at: sql<Date>`now()`,
        }),
      )
      .execute()
      .then(() => undefined);
  }

  /** An endpoint's latest deliveries, newest first. */
  /** Newest first; `before`: only those older than this one (by creation, then delivery id). */
  recentDeliveries(
    endpointId: string,
    limit: number,
    before?: { createdAt: Date; id: string },
  ): Promise<StoredDelivery[]> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
    if (before)
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', before.createdAt),
          eb.and([eb('created_at', '=', before.createdAt), eb('delivery_id', '<', before.id)]),
        ]),
      );
    return query.orderBy('created_at', 'desc').orderBy('delivery_id', 'desc').limit(limit).execute();
  }
}
