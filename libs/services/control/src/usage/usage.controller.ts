import { Controller, Get, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import type { FastifyReply } from 'fastify';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { UsageCallsParams, UsageReportParams } from './usage.dto';
import { UsageService } from './usage.service';
import { referenceView, usageCallView, usageCallsCsv, usageGroupView, usageReportCsv } from './usage.views';

/** The next page's cursor of a CSV answer (a JSON answer carries it in its body). */
export const NEXT_CURSOR_HEADER = 'x-polymux-next-cursor';

const asCsv = (reply: FastifyReply, nextCursor: string | null, body: string): string => {
  void reply.header('content-type', 'text/csv; charset=utf-8');
  if (nextCursor !== null) void reply.header(NEXT_CURSOR_HEADER, nextCursor);
  return body;
};

/**
 * Cost attribution: `GET /admin/v1/usage` (spend and usage grouped by any dimensions, by hour or
 * day) and `GET /admin/v1/usage/calls` (the usage rows), one org each, paged, JSON or CSV.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class UsageController {
  constructor(
    private readonly usage: UsageService,
    private readonly access: AccessService,
  ) {}

  @Get('usage')
  @Requires('usage.read')
  @ApiContract({ summary: 'Spend and usage of an organisation, grouped (JSON or CSV)', query: UsageReportParams })
  async report(@Req() request: AdminRequest, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const params = parseBody(UsageReportParams, query);
    this.access.requireReport(principalOf(request), 'usage.read', params.orgId, params.teamId);
    const { groups, nextCursor, reference } = await this.usage.report(params);
    if (params.format === 'csv')
      return asCsv(
        reply,
        nextCursor,
        usageReportCsv(groups, params.groupBy, params.bucket !== undefined, reference !== undefined),
      );
    return {
      data: groups.map(usageGroupView),
      nextCursor,
      ...(reference === undefined ? {} : { reference: referenceView(reference) }),
    };
  }

  @Get('usage/calls')
  @Requires('usage.read')
  @ApiContract({ summary: 'The usage rows of an organisation (JSON or CSV)', query: UsageCallsParams })
  async calls(@Req() request: AdminRequest, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const params = parseBody(UsageCallsParams, query);
    this.access.requireReport(principalOf(request), 'usage.read', params.orgId, params.teamId);
    const { calls, nextCursor } = await this.usage.calls(params);
    if (params.format === 'csv') return asCsv(reply, nextCursor, usageCallsCsv(calls));
    return { data: calls.map(usageCallView), nextCursor };
  }
}
