import { Controller, Get, Param, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import type { FastifyReply } from 'fastify';

import { AdminAuthGuard } from '../access/admin-auth.guard';
import { StatementParams } from './statement.dto';
import { StatementService } from './statement.service';
import { statementCsv, statementView } from './statement.views';

/** `GET /admin/v1/orgs/:orgId/statement`: an org's statement for a period, from the ledger, JSON or CSV. */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class StatementController {
  constructor(private readonly statements: StatementService) {}

  @Get('orgs/:orgId/statement')
  async statement(
    @Param('orgId') orgId: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const params = parseBody(StatementParams, query);
    const { statement, projects } = await this.statements.statement(orgId, params);
    if (params.format === 'csv') {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      return statementCsv(statement, projects);
    }
    return statementView(statement, projects, { period: params.period ?? null, timezone: params.timezone });
  }
}
