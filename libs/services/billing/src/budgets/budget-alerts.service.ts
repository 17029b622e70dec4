import { Inject, Injectable } from '@nestjs/common';
import type { BudgetThresholdCrossed, UsageRecorded } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import type { CounterState } from '../store/budget.store';
import type { BudgetStore } from '../store/budget.store';
import { BUDGET_STORE } from '../store/budget.store';
import { periodAt } from './budget-period';
import { alertId, reachedThresholds } from './budget-thresholds';
import type { StoredBudget } from './budget.repository';

/**
 * Soft thresholds: after a settlement, every threshold the budget's period spend reached and that
 * was not alerted yet in the period is published (durably, `billing.budget.threshold-crossed.v1`,
 * message id = delivery id) and audited, then marked alerted in the budget store. A publish that
 * fails fails the settlement batch, whose redelivery publishes it again: an alert is never lost, and
 * a repeated one carries the same delivery id (JetStream drops it within its duplicate window).
 */
@Injectable()
export class BudgetAlerts {
  constructor(
    private readonly messaging: MessagingClient,
    @Inject(BUDGET_STORE) private readonly store: BudgetStore,
  ) {}

  async check(budget: StoredBudget, counter: CounterState, usage: UsageRecorded, nowMs: number): Promise<void> {
    const due = reachedThresholds(budget, counter.spent).filter((percent) => percent > counter.alertedPercent);
    if (due.length === 0) return;
    const { startMs, endMs } = periodAt(budget.period, budget.timezone, counter.periodStartMs);
    for (const percent of due) {
      const alert: BudgetThresholdCrossed = {
        id: alertId(budget.id, startMs, percent),
        budgetId: budget.id,
        orgId: budget.org_id,
        scope: budget.scope,
        scopeId: budget.scope_id,
        period: budget.period,
        timezone: budget.timezone,
        periodStart: new Date(startMs).toISOString(),
        periodEnd: new Date(endMs).toISOString(),
        thresholdPercent: percent,
        amount: String(budget.amount),
        hardLimit: budget.hard_limit === null ? null : String(budget.hard_limit),
        spent: counter.spent.toString(),
        requestId: usage.requestId,
        occurredAt: new Date(nowMs).toISOString(),
      };
      await Promise.all([
        this.messaging.emit(Subjects.budgetThresholdCrossed, alert, {
          messageId: alert.id,
          requestId: usage.requestId,
        }),
        this.audit(alert, usage),
      ]);
    }
    await this.store.markAlerted(budget.org_id, budget.id, counter.periodStartMs, due.at(-1)!);
  }

  /** The alert as an audit fact of the call that crossed it, so it is queryable with the call. */
  private audit(alert: BudgetThresholdCrossed, usage: UsageRecorded): Promise<void> {
    const id = `${alert.id}:billing.budget.threshold_crossed`;
    return this.messaging.emit(
      Subjects.auditRecorded,
      {
        id,
        category: 'call',
        action: 'billing.budget.threshold_crossed',
        outcome: 'success',
        actorKeyId: usage.keyId,
        orgId: alert.orgId,
        projectId: usage.projectId,
        requestId: usage.requestId,
        target: `budget:${alert.budgetId}`,
        metadata: {
          scope: alert.scope,
          scopeId: alert.scopeId,
          period: alert.period,
          periodStart: alert.periodStart,
          thresholdPercent: alert.thresholdPercent,
          amountNanoUsd: alert.amount,
          spentNanoUsd: alert.spent,
        },
        occurredAt: alert.occurredAt,
      },
      { messageId: id, requestId: usage.requestId },
    );
  }
}
