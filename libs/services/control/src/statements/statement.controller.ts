import { Controller, Get, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import type { FastifyReply } from 'fastify';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { StatementParams } from './statement.dto';
import { StatementService } from './statement.service';
import { statementCsv, statementView } from './statement.views';

/** `GET /admin/v1/orgs/:orgId/statement`: an org's statement for a period, from the ledger, JSON or CSV. */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class StatementController {
  constructor(
    private readonly statements: StatementService,
    private readonly access: AccessService,
  ) {}

  @Get('orgs/:orgId/statement')
  @Requires('credits.read')
  @ApiContract({ summary: 'The statement of an organisation for a period (JSON or CSV)', query: StatementParams })
  async statement(
    @Req() request: AdminRequest,
    @Param('orgId') orgId: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    await this.access.requireOrg(principalOf(request), 'credits.read', orgId, 'orgId');
    const params = parseBody(StatementParams, query);
    const { statement, projects } = await this.statements.statement(orgId, params);
    if (params.format === 'csv') {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      return statementCsv(statement, projects);
    }
    return statementView(statement, projects, { period: params.period ?? null, timezone: params.timezone });
  }
}
