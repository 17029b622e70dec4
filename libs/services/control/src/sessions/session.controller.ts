import { Controller, Get, Param, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AccessService } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { SessionParams, SessionPath } from './session.dto';
import { SessionService } from './session.service';
import { sessionView } from './session.views';

/**
 * Agent sessions: `GET /admin/v1/sessions/:sessionId` answers the call chain of the calls sent
 * with that `x-polymux-session-id`, with their cost and latency (one org's with `?orgId=`). A user
 * reads their own org's sessions, with an org-wide role that reads usage.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly access: AccessService,
  ) {}

  @Get('sessions/:sessionId')
  @Requires('usage.read')
  @ApiContract({ summary: 'The call chain of an agent session', query: SessionParams })
  async session(@Req() request: AdminRequest, @Param('sessionId') sessionId: string, @Query() query: unknown) {
    const principal = principalOf(request);
    const path = parseBody(SessionPath, { sessionId });
    const parsed = parseBody(SessionParams, query);
    const params = principal.operator ? parsed : { ...parsed, orgId: parsed.orgId ?? principal.orgId ?? undefined };
    if (!principal.operator) this.access.requireReport(principal, 'usage.read', params.orgId ?? '', undefined);
    return sessionView(path.sessionId, await this.sessions.session(path.sessionId, params));
  }
}
