import { Injectable } from '@nestjs/common';
import type { SessionUsage } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { ControlService } from '../control.service';
import type { SessionParams } from './session.dto';

/**
 * A session's call chain through the admin API: control checks a named org exists, then billing,
 * which owns the usage rows (written with each call's charge), answers (`billing.usage.session.query.v1`).
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
  ) {}

  async session(sessionId: string, params: SessionParams): Promise<SessionUsage> {
    const orgId = params.orgId === undefined ? undefined : (await this.control.requireOrg(params.orgId, 'orgId')).id;
    const { session } = await this.messaging.request(Subjects.usageSession, {
      sessionId,
      ...(orgId === undefined ? {} : { orgId }),
      limit: params.limit,
    });
    if (!session) {
      const where = orgId === undefined ? '' : ` in org ${orgId}`;
      throw new PolymuxException(ErrorCode.NotFound, `session ${sessionId} not found${where}`, { param: 'sessionId' });
    }
    return session;
  }
}
