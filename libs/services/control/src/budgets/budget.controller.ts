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

import { AdminAuthGuard, type AdminRequest } from '../access/admin-auth.guard';
import { actorOf } from '../admin/admin.controller';
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
  constructor(private readonly budgets: BudgetService) {}

  @Post('budgets')
  async create(@Req() request: AdminRequest, @Body() body: unknown) {
    return budgetView(await this.budgets.create(actorOf(request), parseBody(CreateBudget, body)));
  }

  @Get('budgets')
  async list(@Query() query: unknown) {
    return { data: (await this.budgets.list(parseBody(BudgetListParams, query))).map(budgetView) };
  }

  @Get('budgets/:budgetId')
  async get(@Param('budgetId') budgetId: string) {
    return budgetView(await this.budgets.get(budgetId));
  }

  @Patch('budgets/:budgetId')
  async update(@Req() request: AdminRequest, @Param('budgetId') budgetId: string, @Body() body: unknown) {
    return budgetView(await this.budgets.update(actorOf(request), budgetId, parseBody(UpdateBudget, body)));
  }

  @Delete('budgets/:budgetId')
  @HttpCode(200)
  async delete(@Req() request: AdminRequest, @Param('budgetId') budgetId: string) {
    return budgetView(await this.budgets.delete(actorOf(request), budgetId));
  }
}
