import { Injectable } from '@nestjs/common';
import type { Budget } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, usdToNano } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { z } from 'zod';

import { ControlRepository } from '../control.repository';
import { stateOf } from '../audit/audit-state';
import type { Actor, Change } from '../control.service';
import { ControlService, isUuid } from '../control.service';
import type { ScopeOwner } from '../scope-owner';
import { scopeOwner } from '../scope-owner';
import type { BudgetListParams, CreateBudget, UpdateBudget } from './budget.dto';

/** A budget's settings as the audit trail records them (not its period's spend). */
const budgetState = ({ id: _id, createdAt: _created, updatedAt: _updated, state: _state, ...spec }: Budget) =>
  stateOf(spec);

const nano = (usd: string, param: string, { zero = false } = {}): string => {
  const amount = usdToNano(usd);
  if (amount === 0n && !zero)
    throw new PolymuxException(ErrorCode.InvalidRequest, `${param} must be positive`, { param });
  return amount.toString();
};

/**
 * Budgets through the admin API: control checks that the scope exists and which org it belongs
 * to, then billing, which owns and enforces budgets, stores the change (`billing.budget.*.v1`).
 * Every change is audited here, with the scope's org and project.
 */
@Injectable()
export class BudgetService {
  constructor(
    private readonly tenancy: ControlRepository,
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
  ) {}

  async create(actor: Actor, body: z.infer<typeof CreateBudget>): Promise<Budget> {
    const owner = await scopeOwner(this.tenancy, body.scope, body.scopeId);
    const { budget } = await this.messaging.request(Subjects.createBudget, {
      orgId: owner.orgId,
      scope: body.scope,
      scopeId: body.scopeId,
      period: body.period,
      timezone: body.timezone,
      amount: nano(body.amountUsd, 'amountUsd'),
      // A hard limit of zero refuses every call: a way to freeze a scope's spend.
      hardLimit: body.hardLimitUsd === null ? null : nano(body.hardLimitUsd, 'hardLimitUsd', { zero: true }),
      thresholds: body.thresholds,
    });
    await this.audited(actor, 'budget.create', budget, owner, {}, { before: null, after: budgetState(budget) });
    return budget;
  }

  async list(params: z.infer<typeof BudgetListParams>): Promise<Budget[]> {
    const org = isUuid(params.orgId) ? await this.tenancy.findOrg(params.orgId) : undefined;
    if (!org) throw new PolymuxException(ErrorCode.NotFound, `org ${params.orgId} not found`, { param: 'orgId' });
    if (params.scopeId !== undefined && params.scope === undefined)
      throw new PolymuxException(ErrorCode.InvalidRequest, 'scopeId needs scope', { param: 'scope' });
    const { budgets } = await this.messaging.request(Subjects.budgets, {
      orgId: org.id,
      ...(params.scope === undefined ? {} : { scope: params.scope }),
      ...(params.scopeId === undefined ? {} : { scopeId: params.scopeId }),
    });
    return budgets;
  }

  async get(budgetId: string): Promise<Budget> {
    const { budgets } = await this.messaging.request(Subjects.budgets, { budgetId });
    return budgets[0]!;
  }

  async update(actor: Actor, budgetId: string, body: z.infer<typeof UpdateBudget>): Promise<Budget> {
    const [before] = (await this.messaging.request(Subjects.budgets, { budgetId })).budgets;
    const { budget } = await this.messaging.request(Subjects.updateBudget, {
      budgetId,
      changes: {
        ...(body.amountUsd === undefined ? {} : { amount: nano(body.amountUsd, 'amountUsd') }),
        ...(body.hardLimitUsd === undefined
          ? {}
          : { hardLimit: body.hardLimitUsd === null ? null : nano(body.hardLimitUsd, 'hardLimitUsd', { zero: true }) }),
        ...(body.thresholds === undefined ? {} : { thresholds: body.thresholds }),
      },
    });
    await this.audited(
      actor,
      'budget.update',
      budget,
      await this.ownerOf(budget),
      { fields: Object.keys(body).sort().join(',') },
      { before: before ? budgetState(before) : null, after: budgetState(budget) },
    );
    return budget;
  }

  async delete(actor: Actor, budgetId: string): Promise<Budget> {
    const { budget } = await this.messaging.request(Subjects.deleteBudget, { budgetId });
    await this.audited(
      actor,
      'budget.delete',
      budget,
      await this.ownerOf(budget),
      {},
      {
        before: budgetState(budget),
        after: null,
      },
    );
    return budget;
  }

  /** The budget's scope owner; the budget's org alone if the scope is gone. */
  async ownerOf(budget: Budget): Promise<ScopeOwner> {
    return scopeOwner(this.tenancy, budget.scope, budget.scopeId).catch(() => ({
      orgId: budget.orgId,
      projectId: null,
      teamId: null,
      ownerUserId: null,
    }));
  }

  private audited(
    actor: Actor,
    action: string,
    budget: Budget,
    owner: ScopeOwner,
    metadata: Record<string, string>,
    change: Change,
  ): Promise<void> {
    return this.control.audit(
      actor,
      action,
      `budget:${budget.id}`,
      owner.orgId,
      owner.projectId,
      {
        scope: budget.scope,
        scopeId: budget.scopeId,
        period: budget.period,
        amountNanoUsd: budget.amount,
        hardLimitNanoUsd: budget.hardLimit,
        ...metadata,
      },
      change,
    );
  }
}
