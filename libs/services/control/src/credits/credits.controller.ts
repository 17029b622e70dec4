import { Body, Controller, Param, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { AuditRecorded } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, usdToNano } from '@polymux/contracts';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import { MessagingClient } from '@polymux/messaging';

import { AdminAuthGuard, type AdminRequest } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { Requires } from '../access/requires';
import { actorOf, idempotencyKeyOf } from '../admin/admin.controller';
import { Adjustment, Grant, Refund } from '../admin/admin.dto';
import { balanceView } from '../admin/admin.views';
import type { Project } from '../control.repository';
import { ControlService, accountOf } from '../control.service';

const positive = (amountUsd: string): bigint => {
  const amount = usdToNano(amountUsd);
  if (amount <= 0n)
    throw new PolymuxException(ErrorCode.InvalidRequest, 'amountUsd must be positive', { param: 'amountUsd' });
  return amount;
};

/**
 * Operators' credit movements on a project, each a ledger transfer in billing with a required
 * reason, idempotent by the `Idempotency-Key` header and audited when applied: grants of
 * promotional credit (spent first, optionally expiring), refunds of a charged request, and signed
 * adjustments. Only the instance operator moves credit.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class CreditsController {
  constructor(
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
  ) {}

  @Post('projects/:projectId/grants')
  @Requires('credits.write')
  @ApiContract({ summary: 'Grant credit to a project (Idempotency-Key header required)', body: Grant })
  async grant(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Body() body: unknown) {
    const idempotencyKey = idempotencyKeyOf(request);
    const { amountUsd, expiresAt, reason } = parseBody(Grant, body);
    const amount = positive(amountUsd);
    const project = await this.control.requireProject(projectId);
    const result = await this.messaging.request(Subjects.grant, {
      accountId: accountOf(project.id),
      amount: amount.toString(),
      expiresAt: expiresAt ?? null,
      reason,
      idempotencyKey: `${project.id}:${idempotencyKey}`,
    });
    await this.auditApplied(request, result, 'credits.grant', project, {
      amountNanoUsd: amount.toString(),
      grantId: result.grantId,
      expiresAt: result.expiresAt,
      reason,
    });
    return { applied: result.applied, grantId: result.grantId, expiresAt: result.expiresAt, ...balanceView(result) };
  }

  @Post('projects/:projectId/refunds')
  @Requires('credits.write')
  @ApiContract({ summary: 'Refund a call to a project (Idempotency-Key header required)', body: Refund })
  async refund(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Body() body: unknown) {
    const idempotencyKey = idempotencyKeyOf(request);
    const { requestId, amountUsd, reason } = parseBody(Refund, body);
    const amount = positive(amountUsd);
    const project = await this.control.requireProject(projectId);
    const result = await this.messaging.request(Subjects.refund, {
      accountId: accountOf(project.id),
      requestId,
      amount: amount.toString(),
      reason,
      idempotencyKey: `${project.id}:${idempotencyKey}`,
    });
    await this.auditApplied(request, result, 'credits.refund', project, {
      amountNanoUsd: amount.toString(),
      requestId,
      reason,
    });
    return { applied: result.applied, ...balanceView(result) };
  }

  @Post('projects/:projectId/adjustments')
  @Requires('credits.write')
  @ApiContract({ summary: 'Adjust the balance of a project (Idempotency-Key header required)', body: Adjustment })
  async adjust(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Body() body: unknown) {
    const idempotencyKey = idempotencyKeyOf(request);
    const { amountUsd, reason } = parseBody(Adjustment, body);
    const amount = amountUsd.startsWith('-') ? -usdToNano(amountUsd.slice(1)) : usdToNano(amountUsd);
    if (amount === 0n)
      throw new PolymuxException(ErrorCode.InvalidRequest, 'amountUsd must not be zero', { param: 'amountUsd' });
    const project = await this.control.requireProject(projectId);
    const result = await this.messaging.request(Subjects.adjust, {
      accountId: accountOf(project.id),
      amount: amount.toString(),
      reason,
      idempotencyKey: `${project.id}:${idempotencyKey}`,
    });
    await this.auditApplied(request, result, 'credits.adjustment', project, {
      amountNanoUsd: amount.toString(),
      reason,
    });
    return { applied: result.applied, ...balanceView(result) };
  }

  /** Audits a movement billing applied (a retried request with the same key applies nothing again), with the balance after it. */
  private async auditApplied(
    request: AdminRequest,
    result: { applied: boolean; balance: string },
    action: string,
    project: Project,
    metadata: AuditRecorded['metadata'],
  ): Promise<void> {
    if (result.applied)
      await this.control.audit(
        actorOf(request),
        action,
        `project:${project.id}`,
        project.org_id,
        project.id,
        metadata,
        {
          after: { balanceNanoUsd: result.balance },
        },
      );
  }
}
