import { Controller, Get, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AdminAuthGuard } from '../admin/admin-auth.guard';
import { SessionParams, SessionPath } from './session.dto';
import { SessionService } from './session.service';
import { sessionView } from './session.views';

/**
 * Agent sessions: `GET /admin/v1/sessions/:sessionId` answers the call chain of the calls sent
 * with that `x-polymux-session-id`, with their cost and latency (one org's with `?orgId=`).
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  @Get('sessions/:sessionId')
  async session(@Param('sessionId') sessionId: string, @Query() query: unknown) {
    const path = parseBody(SessionPath, { sessionId });
    const params = parseBody(SessionParams, query);
    return sessionView(path.sessionId, await this.sessions.session(path.sessionId, params));
  }
}
