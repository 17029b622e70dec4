import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';

import { BudgetAdmin } from './budget-admin.service';

/** Billing's budget subjects: control's admin API and the router's explain. */
@Controller()
export class BudgetHandler {
  constructor(private readonly admin: BudgetAdmin) {}

  @OnRequest(Subjects.createBudget)
  async create(
    @Payload() request: RequestOf<typeof Subjects.createBudget>,
  ): Promise<ResponseOf<typeof Subjects.createBudget>> {
    return { budget: await this.admin.create(request) };
  }

  @OnRequest(Subjects.updateBudget)
  async update(
    @Payload() request: RequestOf<typeof Subjects.updateBudget>,
  ): Promise<ResponseOf<typeof Subjects.updateBudget>> {
    return { budget: await this.admin.update(request) };
  }

  @OnRequest(Subjects.deleteBudget)
  async delete(
    @Payload() request: RequestOf<typeof Subjects.deleteBudget>,
  ): Promise<ResponseOf<typeof Subjects.deleteBudget>> {
    return { budget: await this.admin.delete(request) };
  }

  @OnRequest(Subjects.budgets)
  async query(@Payload() request: RequestOf<typeof Subjects.budgets>): Promise<ResponseOf<typeof Subjects.budgets>> {
    return { budgets: await this.admin.query(request) };
  }
}
