import { Injectable } from '@nestjs/common';
import type { Statement } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { ControlRepository } from '../control.repository';
import { accountOf, isUuid } from '../control.service';
import type { StatementParams } from './statement.dto';

/** A project of the statement's org, as the statement names it. */
export interface StatementProject {
  id: string;
  name: string;
}

/**
 * Org statements through the admin API: control knows the org's projects, so it names their
 * accounts; billing, which owns the ledger, sums them (`billing.statement.query.v1`).
 */
@Injectable()
export class StatementService {
  constructor(
    private readonly tenancy: ControlRepository,
    private readonly messaging: MessagingClient,
  ) {}

  async statement(
    orgId: string,
    params: StatementParams,
  ): Promise<{ statement: Statement; projects: Map<string, StatementProject> }> {
    const org = isUuid(orgId) ? await this.tenancy.findOrg(orgId) : undefined;
    if (!org) throw new PolymuxException(ErrorCode.NotFound, `org ${orgId} not found`, { param: 'orgId' });
    const projects = await this.tenancy.listProjects(org.id);
    const statement = await this.messaging.request(Subjects.statement, {
      orgId: org.id,
      accountIds: projects.map((project) => accountOf(project.id)),
      period: params.period === undefined ? { from: params.from!, to: params.to! } : { month: params.period },
      timezone: params.timezone,
    });
    return {
      statement,
      projects: new Map(projects.map((project) => [accountOf(project.id), { id: project.id, name: project.name }])),
    };
  }
}
