import { Injectable } from '@nestjs/common';
import type { OrgInvoice, OrgPlanChange, OrgPlans, PlanSpec, SetPlanRequest } from '@polymux/contracts';
import { ErrorCode, PolymuxException, canonicalTimeZone } from '@polymux/contracts';

import { BillingClock } from '../budgets/billing-clock';
import { BudgetDefinitions } from '../budgets/budget-definitions';
import { BudgetRepository } from '../budgets/budget.repository';
import { BudgetsService } from '../budgets/budgets.service';
import { LedgerRepository } from '../ledger/ledger.repository';
import { DEFAULT_PLAN, changeInForce, creditFloor, planInForce } from './plan-pricing';
import type { PlanChange } from './plan.repository';
import { PlanRepository, toPlanChange } from './plan.repository';
import { PlansService } from './plans.service';

/** A stated time this little in the past (clock skew between the admin's machine and billing) means now. */
const SKEW_MS = 60_000;

const view = (change: PlanChange): OrgPlanChange => ({
  id: change.id,
  orgId: change.orgId,
  spec: change.spec,
  effectiveFrom: new Date(change.effectiveFromMs).toISOString(),
  createdAt: change.createdAt.toISOString(),
  changedBy: change.changedBy,
  previous: change.previous,
});

/** Zones stored by their canonical name, as budgets' are. */
const canonical = (spec: PlanSpec): PlanSpec => {
  switch (spec.plan) {
    case 'payg':
      return spec;
    case 'free':
    case 'enterprise':
      return {
        ...spec,
        settings: { ...spec.settings, timezone: canonicalTimeZone(spec.settings.timezone) ?? spec.settings.timezone },
      } as PlanSpec;
  }
};

/**
 * Plan changes as billing owns them (control's admin API validates and forwards here): appended
 * with the plan they replace from their time, in one transaction that increments the org's
 * revision, so every replica rereads the org's definitions at its next reservation. A change takes
 * effect from its stated time, never before the moment it is made.
 */
@Injectable()
export class PlanAdmin {
  constructor(
    private readonly repository: PlanRepository,
    private readonly budgetRepository: BudgetRepository,
    private readonly definitions: BudgetDefinitions,
    private readonly budgets: BudgetsService,
    private readonly clock: BillingClock,
    private readonly plans: PlansService,
    private readonly ledger: LedgerRepository,
  ) {}

  async set(request: SetPlanRequest): Promise<{ change: OrgPlanChange; plans: OrgPlans }> {
    const now = this.clock.now();
    const stated = request.effectiveFrom === undefined ? now : Date.parse(request.effectiveFrom);
    if (stated < now - SKEW_MS) {
      throw new PolymuxException(
        ErrorCode.InvalidRequest,
        `effectiveFrom ${request.effectiveFrom} is in the past: a plan change takes effect from now or later, never retroactively`,
        { param: 'effectiveFrom' },
      );
    }
    const effectiveFromMs = Math.max(stated, now);
    const spec = canonical(request.spec);
    const stored = await this.budgetRepository.changeOrg(request.orgId, async (trx) => {
      const previous = planInForce(await this.repository.changesOf(request.orgId, trx), effectiveFromMs);
      return this.repository.insertChange(trx, {
        org_id: request.orgId,
        plan: spec.plan,
        settings: JSON.stringify(spec.settings),
        effective_from: new Date(effectiveFromMs),
        changed_by: request.changedBy,
        previous: JSON.stringify(previous),
      });
    });
    await this.definitions.reload(request.orgId);
    await this.budgets.changed(request.orgId, stored.revision);
    return { change: view(toPlanChange(stored.result)), plans: await this.query(request.orgId) };
  }

  /** `accounts`: the org's project accounts, whose balances an invoiced plan's invoice shows. */
  async query(orgId: string, accounts: readonly string[] = []): Promise<OrgPlans> {
    const changes = await this.repository.changesOf(orgId);
    const now = this.clock.now();
    const current = changeInForce(changes, now);
    const floor = current ? creditFloor(current.spec) : 0n;
    return {
      ...(floor < 0n ? { invoice: await this.invoice(-floor, accounts) } : {}),
      orgId,
      current: {
        spec: current?.spec ?? DEFAULT_PLAN,
        since: current ? new Date(current.effectiveFromMs).toISOString() : null,
        changeId: current?.id ?? null,
        ...(current?.spec.plan === 'free' ? { quota: await this.plans.quotaState(orgId, current.spec.settings) } : {}),
      },
      scheduled: changes.filter((change) => change.effectiveFromMs > now).map(view),
      history: [...changes].sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? 1 : -1)).map(view),
    };
  }

  /** What the org owes: each account's ledger balance below zero (settled charges; holds are not owed). */
  private async invoice(creditLimit: bigint, accounts: readonly string[]): Promise<OrgInvoice> {
    const balances = await Promise.all(accounts.map((account) => this.ledger.balanceOf(account)));
    const rows = accounts.map((accountId, index) => {
      const { balance } = balances[index]!;
      return { accountId, balance: balance.toString(), owed: (balance < 0n ? -balance : 0n).toString() };
    });
    const owed = rows.reduce((sum, row) => sum + BigInt(row.owed), 0n);
    return { creditLimit: creditLimit.toString(), accounts: rows, owed: owed.toString() };
  }
}
