import { Body, Controller, Get, Param, Put, Req, UseFilters, UseGuards } from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { actorOf } from '../admin/admin.controller';
import { SetPlan } from './plan.dto';
import { PlanService } from './plan.service';
import { changeView, plansView } from './plan.views';

/**
 * An org's plan: `PUT /admin/v1/orgs/{orgId}/plan` records a change from a stated time (answering
 * the change and the org's plans after it), `GET` answers the plan in force, the scheduled changes
 * and the history.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class PlanController {
  constructor(
    private readonly plans: PlanService,
    private readonly access: AccessService,
  ) {}

  /** Plans are the operator's commercial terms. */
  @Put('orgs/:orgId/plan')
  @Requires('plan.write')
  @ApiContract({ summary: 'Set the plan of an organisation', body: SetPlan })
  async set(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Body() body: unknown) {
    const { change, plans } = await this.plans.set(actorOf(request), orgId, parseBody(SetPlan, body));
    return { change: changeView(change), ...plansView(plans) };
  }

  @Get('orgs/:orgId/plan')
  @Requires('plan.read')
  @ApiContract({ summary: 'Read the plan of an organisation' })
  async get(@Req() request: AdminRequest, @Param('orgId') orgId: string) {
    await this.access.requireOrg(principalOf(request), 'plan.read', orgId, 'orgId');
    return plansView(await this.plans.get(orgId));
  }
}
