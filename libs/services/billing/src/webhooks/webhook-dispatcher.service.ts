import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { BudgetThresholdCrossed, WebhookEventType } from '@polymux/contracts';
import { Subjects, nanoToUsd } from '@polymux/contracts';
import { AttemptsExhaustedError, RetryLaterError } from '@polymux/messaging';

import type { WebhookDeliveryStatus } from '../schema/tables/webhooks.table';
import { webhookRetryDelayMs } from './webhook-backoff';
import type { AttemptOutcome } from './webhook-sender';
import { WebhookSender } from './webhook-sender';
import { WebhookSecrets } from './webhook-secrets';
import { WebhookHeaders, signWebhook } from './webhook-signature';
import type { StoredDelivery, StoredEndpoint } from './webhook.repository';
import { WebhookRepository } from './webhook.repository';

const EVENT_TYPE: WebhookEventType = 'budget.threshold_crossed';

/** The JSON a receiver gets for a crossed threshold: metadata only, money in nano-USD and USD. */
export const thresholdCrossedBody = (alert: BudgetThresholdCrossed) => ({
  id: alert.id,
  type: EVENT_TYPE,
  createdAt: alert.occurredAt,
  data: {
    budgetId: alert.budgetId,
    orgId: alert.orgId,
    scope: alert.scope,
    scopeId: alert.scopeId,
    period: alert.period,
    timezone: alert.timezone,
    periodStart: alert.periodStart,
    periodEnd: alert.periodEnd,
    thresholdPercent: alert.thresholdPercent,
    amountNanoUsd: alert.amount,
    hardLimitNanoUsd: alert.hardLimit,
    spentNanoUsd: alert.spent,
    amountUsd: nanoToUsd(BigInt(alert.amount)),
    spentUsd: nanoToUsd(BigInt(alert.spent)),
    requestId: alert.requestId,
  },
});

interface Attempted {
  status: WebhookDeliveryStatus;
  attempts: number;
}

/**
 * Delivers each crossed threshold to the org's subscribed endpoints, with a delivery state per
 * endpoint: every attempt POSTs only to the endpoints still pending (those done or given up on
 * are skipped), all of them in parallel, so one failing or slow endpoint delays no other. While
 * any is pending the event is redelivered by the bus after this dispatcher's backoff; once none
 * is, an event that failed at an endpoint (attempts used up, or refused) is dead-lettered.
 */
@Injectable()
export class WebhookDispatcher {
  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly repository: WebhookRepository,
    private readonly secrets: WebhookSecrets,
    private readonly sender: WebhookSender,
  ) {}

  async dispatch(alert: BudgetThresholdCrossed): Promise<void> {
    const endpoints = await this.repository.subscribed(alert.orgId, alert.budgetId, EVENT_TYPE);
    if (endpoints.length === 0) return;
    const states = await this.repository.deliveriesOf(alert.id);
    const body = JSON.stringify(thresholdCrossedBody(alert));
    const attempted = await Promise.all(
      endpoints
        .filter((endpoint) => (states.get(endpoint.id)?.status ?? 'pending') === 'pending')
        .map((endpoint) => this.attempt(endpoint, alert.id, body, states.get(endpoint.id))),
    );
    const pending = attempted.filter((result) => result.status === 'pending');
    const subject = Subjects.budgetThresholdCrossed.subject;
    if (pending.length > 0) {
      const fewest = Math.min(...pending.map((result) => result.attempts));
      throw new RetryLaterError(subject, webhookRetryDelayMs(fewest, this.config.webhooks.retryBaseMs));
    }
    const failed = [...attempted, ...states.values()].filter((result) => result.status === 'failed');
    if (failed.length > 0) throw new AttemptsExhaustedError(subject, Math.max(...failed.map((row) => row.attempts)));
  }

  /** One signed POST to one endpoint, recorded before the event is acknowledged or redelivered. */
  private async attempt(
    endpoint: StoredEndpoint,
    deliveryId: string,
    body: string,
    previous: StoredDelivery | undefined,
  ): Promise<Attempted> {
    const attempts = (previous?.attempts ?? 0) + 1;
    const outcome = await this.post(endpoint, deliveryId, body);
    const status: WebhookDeliveryStatus =
      outcome.kind === 'delivered'
        ? 'delivered'
        : outcome.kind === 'rejected' || attempts >= this.config.webhooks.maxAttempts
          ? 'failed'
          : 'pending';
    await this.repository.recordAttempt({
      delivery_id: deliveryId,
      endpoint_id: endpoint.id,
      event_type: EVENT_TYPE,
      status,
      attempts,
      last_status_code: outcome.statusCode,
      last_error: outcome.kind === 'delivered' ? null : outcome.error,
    });
    return { status, attempts };
  }

  private post(endpoint: StoredEndpoint, deliveryId: string, body: string): Promise<AttemptOutcome> {
    let secret: string;
    try {
      secret = this.secrets.open(endpoint.id, endpoint);
    } catch (error) {
      // A key that changed is the operator's to fix: retried meanwhile, within the attempts.
      return Promise.resolve({
        kind: 'retry',
        statusCode: null,
        error: `secret unavailable (${(error as Error).name})`,
      });
    }
    const timestamp = String(Math.floor(Date.now() / 1000));
    return this.sender.post(
      endpoint.url,
      {
        [WebhookHeaders.id]: deliveryId,
        [WebhookHeaders.timestamp]: timestamp,
        [WebhookHeaders.signature]: signWebhook(secret, timestamp, body),
      },
      body,
    );
  }
}
