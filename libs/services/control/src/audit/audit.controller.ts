import { Readable } from 'node:stream';

import { Controller, Get, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import type { FastifyReply } from 'fastify';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { Requires } from '../access/requires';
import { ApiContract } from '../openapi/api-contract';
import { NEXT_CURSOR_HEADER } from '../usage/usage.controller';
import { AuditExportParams, AuditParams, AuditVerifyParams } from './audit.dto';
import { AuditTrailService } from './audit-trail.service';
import { AUDIT_CSV_HEADER, auditCsvLine, auditJsonLine, auditRecordView } from './audit.views';

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' } as const;

/**
 * The audit trail: `GET /admin/v1/audit` (a page, newest first, by actor, action, category, org,
 * project, request and time), `GET /admin/v1/audit/export` (the same filters as CSV or JSON lines,
 * streamed) and `GET /admin/v1/audit/verify` (the hash chains recomputed, the first broken link).
 * The operator reads and verifies every org's trail; an owner or auditor only their own org's.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class AuditController {
  constructor(
    private readonly trail: AuditTrailService,
    private readonly access: AccessService,
  ) {}

  @Get('audit')
  @Requires('audit.read')
  @ApiContract({
    summary: 'Read the audit trail, newest first, by actor, action, category, org, project, request and time',
    query: AuditParams,
  })
  async list(@Req() request: AdminRequest, @Query() query: unknown) {
    const params = parseBody(AuditParams, query);
    const orgId = await this.orgOf(request, params.orgId);
    const { records, nextCursor } = await this.trail.page({ ...params, orgId });
    return { data: records.map(auditRecordView), nextCursor };
  }

  /** Streamed: the records are read from audit as the client takes them; a failure midway cuts the connection. */
  @Get('audit/export')
  @Requires('audit.read')
  @ApiContract({
    summary: 'Export the audit trail as CSV or JSON lines, streamed (at most 100,000 records)',
    query: AuditExportParams,
    answers: ['text/csv', 'application/x-ndjson'],
  })
  async export(@Req() request: AdminRequest, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const params = parseBody(AuditExportParams, query);
    const orgId = await this.orgOf(request, params.orgId);
    const { records, nextCursor } = await this.trail.export({ ...params, orgId });
    void reply
      .header('content-type', CONTENT_TYPES[params.format])
      .header('content-disposition', `attachment; filename="polymux-audit.${params.format}"`);
    if (nextCursor !== null) void reply.header(NEXT_CURSOR_HEADER, nextCursor);
    const line = params.format === 'csv' ? auditCsvLine : auditJsonLine;
    async function* lines(): AsyncGenerator<string> {
      if (params.format === 'csv') yield AUDIT_CSV_HEADER;
      for await (const record of records) yield line(record);
    }
    return Readable.from(lines());
  }

  @Get('audit/verify')
  @Requires('audit.read')
  @ApiContract({ summary: 'Recompute the audit hash chains and name the first broken link', query: AuditVerifyParams })
  async verify(@Req() request: AdminRequest, @Query() query: unknown) {
    return this.trail.verify(await this.orgOf(request, parseBody(AuditVerifyParams, query).orgId));
  }

  /** The org a request reads: any (or all) for the operator; a user's own, and no other (404). */
  private async orgOf(request: AdminRequest, orgId: string | undefined): Promise<string | undefined> {
    const principal = principalOf(request);
    if (principal.operator) return orgId;
    if (orgId !== undefined) await this.access.requireOrg(principal, 'audit.read', orgId, 'orgId');
    return principal.orgId ?? undefined;
  }
}
