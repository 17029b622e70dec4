import { Injectable } from '@nestjs/common';
import type { SessionUsage } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { ControlRepository } from '../control.repository';
import { isUuid } from '../control.service';
import type { SessionParams } from './session.dto';

/**
 * A session's call chain through the admin API: control checks a named org exists, then billing,
 * which owns the usage rows (written with each call's charge), answers (`billing.usage.session.query.v1`).
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly tenancy: ControlRepository,
    private readonly messaging: MessagingClient,
  ) {}

  async session(sessionId: string, params: SessionParams): Promise<SessionUsage> {
    const orgId = params.orgId === undefined ? undefined : await this.orgOf(params.orgId);
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

  private async orgOf(orgId: string): Promise<string> {
    const org = isUuid(orgId) ? await this.tenancy.findOrg(orgId) : undefined;
    if (!org) throw new PolymuxException(ErrorCode.NotFound, `org ${orgId} not found`, { param: 'orgId' });
    return org.id;
  }
}
