import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { actorOf } from '../admin/admin.controller';
import { inMemory, keysetOfView, paginate } from '../pagination';
import { BudgetListParams, CreateBudget, UpdateBudget } from './budget.dto';
import { BudgetService } from './budget.service';
import { budgetView } from './budget.views';

/**
 * Budgets: `POST /admin/v1/budgets`, `GET /admin/v1/budgets?orgId=`, and `GET`, `PATCH`, `DELETE
 * /admin/v1/budgets/{id}`; each answer carries the budget's current period, spend and holds.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class BudgetController {
  constructor(
    private readonly budgets: BudgetService,
    private readonly access: AccessService,
  ) {}

  /** The budget, when the principal may `permission` on its scope. */
  private async budget(request: AdminRequest, permission: 'budget.read' | 'budget.write', budgetId: string) {
    const budget = await this.budgets.get(budgetId);
    this.access.require(principalOf(request), permission, await this.budgets.ownerOf(budget), `budget ${budgetId}`);
    return budget;
  }

  @Post('budgets')
  @Requires('budget.write')
  @ApiContract({ summary: 'Create a budget', body: CreateBudget })
  async create(@Req() request: AdminRequest, @Body() body: unknown) {
    const params = parseBody(CreateBudget, body);
    await this.access.requireScope(principalOf(request), 'budget.write', params.scope, params.scopeId);
    return budgetView(await this.budgets.create(actorOf(request), params));
  }

  /** The org's budgets the principal may read (a team role: its teams' scopes). */
  @Get('budgets')
  @Requires('budget.read')
  @ApiContract({ summary: 'List the budgets of an organisation', query: BudgetListParams })
  async list(@Req() request: AdminRequest, @Query() query: unknown) {
    const principal = principalOf(request);
    const params = parseBody(BudgetListParams, query);
    // Another org's list answers 404, as its objects do (the check throws; what it answers is not needed).
    this.access.visibility(principal, 'budget.read', params.orgId);
    const { rows, nextCursor } = await paginate(
      'budgets',
      params,
      inMemory(await this.budgets.list(params), keysetOfView),
      keysetOfView,
      async (budgets) => {
        const owners = await Promise.all(budgets.map((budget) => this.budgets.ownerOf(budget)));
        return budgets.filter((_, index) => this.access.may(principal, 'budget.read', owners[index]!));
      },
    );
    return { data: rows.map(budgetView), nextCursor };
  }

  @Get('budgets/:budgetId')
  @Requires('budget.read')
  @ApiContract({ summary: 'Read a budget with its current period' })
  async get(@Req() request: AdminRequest, @Param('budgetId') budgetId: string) {
    return budgetView(await this.budget(request, 'budget.read', budgetId));
  }

  @Patch('budgets/:budgetId')
  @Requires('budget.write')
  @ApiContract({ summary: 'Change a budget', body: UpdateBudget })
  async update(@Req() request: AdminRequest, @Param('budgetId') budgetId: string, @Body() body: unknown) {
    await this.budget(request, 'budget.write', budgetId);
    return budgetView(await this.budgets.update(actorOf(request), budgetId, parseBody(UpdateBudget, body)));
  }

  @Delete('budgets/:budgetId')
  @HttpCode(200)
  @Requires('budget.write')
  @ApiContract({ summary: 'Delete a budget' })
  async delete(@Req() request: AdminRequest, @Param('budgetId') budgetId: string) {
    await this.budget(request, 'budget.write', budgetId);
    return budgetView(await this.budgets.delete(actorOf(request), budgetId));
  }
}
