import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ErrorCode, PolymuxException, Subjects, usdToNano } from '@polymux/contracts';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import { MessagingClient } from '@polymux/messaging';

import type { Actor } from '../control.service';
import { ControlService, accountOf } from '../control.service';
import { RateLimitService } from '../rate-limits/rate-limit.service';
import { AdminAuthGuard, type AdminRequest } from '../access/admin-auth.guard';
import {
  AuditParams,
  CreateKey,
  CreateNamed,
  CreateProject,
  CreateUser,
  IdempotencyKey,
  LedgerParams,
  TopUp,
  UpdateKey,
  UpdateProject,
} from './admin.dto';
import { balanceView, entryView, keyView, userView } from './admin.views';

/** The request's `Idempotency-Key` header, or a clear error. */
export const idempotencyKeyOf = (request: AdminRequest): string => {
  const header = IdempotencyKey.safeParse(request.headers['idempotency-key']);
  if (!header.success) {
    throw new PolymuxException(
      ErrorCode.InvalidRequest,
      `Idempotency-Key: ${header.error.issues[0]?.message ?? 'invalid'}`,
      {
        param: 'Idempotency-Key',
      },
    );
  }
  return header.data;
};

export const actorOf = (request: AdminRequest): Actor => ({
  keyId: request.principal?.keyId ?? null,
  orgId: request.principal?.orgId ?? null,
});

/** The admin API: tenancy, keys, top-ups, ledger and audit (grants, refunds, adjustments: `CreditsController`). */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class AdminController {
  constructor(
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
    private readonly rateLimits: RateLimitService,
  ) {}

  @Post('orgs')
  createOrg(@Req() request: AdminRequest, @Body() body: unknown) {
    return this.control.createOrg(actorOf(request), parseBody(CreateNamed, body).name);
  }

  @Get('orgs')
  async listOrgs() {
    return { data: await this.control.listOrgs() };
  }

  @Post('orgs/:orgId/teams')
  createTeam(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Body() body: unknown) {
    return this.control.createTeam(actorOf(request), orgId, parseBody(CreateNamed, body).name);
  }

  @Get('orgs/:orgId/teams')
  async listTeams(@Param('orgId') orgId: string) {
    return { data: await this.control.listTeams(orgId) };
  }

  /** Users of an org; a personal key names one (`userId` on key creation). */
  @Post('orgs/:orgId/users')
  async createUser(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Body() body: unknown) {
    const { email, name } = parseBody(CreateUser, body);
    return userView(await this.control.createUser(actorOf(request), orgId, email, name ?? null));
  }

  @Get('orgs/:orgId/users')
  async listUsers(@Param('orgId') orgId: string) {
    return { data: (await this.control.listUsers(orgId)).map(userView) };
  }

  @Get('users/:userId')
  async getUser(@Param('userId') userId: string) {
    return userView(await this.control.requireUser(userId));
  }

  @Post('orgs/:orgId/projects')
  createProject(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Body() body: unknown) {
    const { name, teamId, dataRetention } = parseBody(CreateProject, body);
    return this.control.createProject(actorOf(request), orgId, name, teamId ?? null, dataRetention);
  }

  @Patch('projects/:projectId')
  updateProject(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Body() body: unknown) {
    return this.control.updateProject(actorOf(request), projectId, parseBody(UpdateProject, body));
  }

  @Get('orgs/:orgId/projects')
  async listProjects(@Param('orgId') orgId: string) {
    return { data: await this.control.listProjects(orgId) };
  }

  /** The only response that ever contains the key's secret. */
  @Post('projects/:projectId/keys')
  async createKey(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Body() body: unknown) {
    const { rpm, tpm, maxConcurrent, ...options } = parseBody(CreateKey, body);
    const { key, secret } = await this.control.createKey(actorOf(request), projectId, options);
    const limits = await this.rateLimits.setForNewKey(key.id, {
      ...(rpm === undefined ? {} : { rpm }),
      ...(tpm === undefined ? {} : { tpm }),
      ...(maxConcurrent === undefined ? {} : { maxConcurrent }),
    });
    return { ...keyView(key, limits), key: secret };
  }

  @Get('projects/:projectId/keys')
  async listKeys(@Param('projectId') projectId: string) {
    const keys = await this.control.listKeys(projectId);
    const limits = await this.rateLimits.ofKeys(keys.map((key) => key.id));
    return { data: keys.map((key) => keyView(key, limits.get(key.id) ?? null)) };
  }

  /** Changes a key's rate limits; every ingress replica refetches its keys (`control.policies.changed.v1`). */
  @Patch('keys/:keyId')
  async updateKey(@Req() request: AdminRequest, @Param('keyId') keyId: string, @Body() body: unknown) {
    const { key, limits } = await this.rateLimits.updateKey(actorOf(request), keyId, parseBody(UpdateKey, body));
    return keyView(key, limits);
  }

  @Delete('keys/:keyId')
  @HttpCode(200)
  async revokeKey(@Req() request: AdminRequest, @Param('keyId') keyId: string) {
    return keyView(await this.control.revokeKey(actorOf(request), keyId));
  }

  /** Idempotent by the `Idempotency-Key` header: a retried top-up is applied once. */
  @Post('projects/:projectId/credits')
  async topUp(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Body() body: unknown) {
    const idempotencyKey = idempotencyKeyOf(request);
    const amount = usdToNano(parseBody(TopUp, body).amountUsd);
    if (amount <= 0n)
      throw new PolymuxException(ErrorCode.InvalidRequest, 'amountUsd must be positive', { param: 'amountUsd' });
    const project = await this.control.requireProject(projectId);
    const result = await this.messaging.request(Subjects.topUp, {
      accountId: accountOf(project.id),
      amount: amount.toString(),
      idempotencyKey: `${project.id}:${idempotencyKey}`,
    });
    if (result.applied) {
      await this.control.audit(
        actorOf(request),
        'credits.top_up',
        `project:${project.id}`,
        project.org_id,
        project.id,
        { amountNanoUsd: amount.toString() },
      );
    }
    return { applied: result.applied, ...balanceView(result) };
  }

  @Get('projects/:projectId/balance')
  async balance(@Param('projectId') projectId: string) {
    const project = await this.control.requireProject(projectId);
    return balanceView(await this.messaging.request(Subjects.balance, { accountId: accountOf(project.id) }));
  }

  @Get('projects/:projectId/ledger')
  async ledger(@Param('projectId') projectId: string, @Query() query: unknown) {
    const project = await this.control.requireProject(projectId);
    const { requestId, limit } = parseBody(LedgerParams, query);
    const { entries } = await this.messaging.request(Subjects.ledger, {
      accountId: accountOf(project.id),
      requestId,
      limit,
    });
    return { data: entries.map(entryView) };
  }

  @Get('audit')
  async audit(@Query() query: unknown) {
    const { requestId, limit } = parseBody(AuditParams, query);
    const { records } = await this.messaging.request(Subjects.auditQuery, { requestId, limit });
    return { data: records };
  }
}
