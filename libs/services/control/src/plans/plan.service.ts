import { Injectable } from '@nestjs/common';
import type { OrgPlanChange, OrgPlans } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { stateOf } from '../audit/audit-state';
import { ControlRepository } from '../control.repository';
import type { Actor } from '../control.service';
import { ControlService, accountOf, isUuid } from '../control.service';
import type { SetPlan } from './plan.dto';
import { specOf } from './plan.views';

/**
 * Plans through the admin API: control checks the org exists, billing (which prices and enforces
 * plans) records the change (`billing.plan.set.v1`). Every change is audited here with the plan
 * before and after it and the time it takes effect; billing keeps the same in its plan history.
 */
@Injectable()
export class PlanService {
  constructor(
    private readonly tenancy: ControlRepository,
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
  ) {}

  async set(actor: Actor, orgId: string, body: SetPlan): Promise<{ change: OrgPlanChange; plans: OrgPlans }> {
    await this.requireOrg(orgId);
    const answer = await this.messaging.request(Subjects.setPlan, {
      orgId,
      spec: specOf(body),
      ...(body.effectiveFrom === undefined ? {} : { effectiveFrom: body.effectiveFrom }),
      changedBy: actor.keyId,
    });
    const { change } = answer;
    await this.control.audit(
      actor,
      'plan.change',
      `org:${orgId}`,
      orgId,
      null,
      {
        changeId: change.id,
        plan: change.spec.plan,
        previousPlan: change.previous.plan,
        effectiveFrom: change.effectiveFrom,
        settings: JSON.stringify(change.spec.settings),
        previousSettings: JSON.stringify(change.previous.settings),
      },
      { before: stateOf(change.previous), after: stateOf(change.spec) },
    );
    return { change, plans: answer.plans.invoice ? await this.query(orgId) : answer.plans };
  }

  async get(orgId: string): Promise<OrgPlans> {
    await this.requireOrg(orgId);
    return this.query(orgId);
  }

  /** The org's plans, with its project accounts for an invoiced plan's invoice. */
  private async query(orgId: string): Promise<OrgPlans> {
    const projects = await this.tenancy.listProjects(orgId);
    return this.messaging.request(Subjects.plans, {
      orgId,
      accounts: projects.map((project) => accountOf(project.id)),
    });
  }

  private async requireOrg(orgId: string): Promise<void> {
    const org = isUuid(orgId) ? await this.tenancy.findOrg(orgId) : undefined;
    if (!org) throw new PolymuxException(ErrorCode.NotFound, `org ${orgId} not found`);
  }
}
