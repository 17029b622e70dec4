import { Body, Controller, Get, Param, Patch, Post, Put, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ErrorCode, PolymuxException, Subjects, usdToNano } from '@polymux/contracts';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import { MessagingClient } from '@polymux/messaging';

import { AccessService, visible } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { MembersService } from '../access/members.service';
import type { RoleGrant } from '../access/principal';
import { Requires } from '../access/requires';
import type { User } from '../control.repository';
import type { Actor } from '../control.service';
import { ControlService, accountOf } from '../control.service';
import { PageParams, keysetOf, keysetOfView, paginate } from '../pagination';
import {
  CreateNamed,
  CreateProject,
  CreateUser,
  IdempotencyKey,
  LedgerParams,
  ProjectListParams,
  SetRoles,
  TopUp,
  UpdateProject,
} from './admin.dto';
import { balanceView, entryView, userView } from './admin.views';

/** A ledger cursor's entry id: digits, or the cursor was not one of the ledger's. */
const ledgerId = (id: string): string => {
  if (!/^\d{1,19}$/.test(id))
    throw new PolymuxException(ErrorCode.InvalidRequest, 'cursor is not a cursor of this list', { param: 'cursor' });
  return id;
};

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

/**
 * Who acts, and from where: the key presented (null for an SSO session), its user, and the client
 * address Fastify resolved through the trusted proxies (`POLYMUX_TRUSTED_PROXIES`), as ingress's
 * IP allowlists and failed-auth throttle see it.
 */
export const actorOf = (request: AdminRequest): Actor => ({
  keyId: request.principal?.keyId ?? null,
  userId: request.principal?.userId ?? null,
  orgId: request.principal?.orgId ?? null,
  sourceAddress: request.ip ?? null,
});

/**
 * The admin API's tenancy: organisations, teams, users and their roles, projects; a project's
 * credit, balance and ledger. Keys: `KeyController`; grants, refunds, adjustments:
 * `CreditsController`; the audit trail: `AuditController`. Each endpoint names its permission
 * (`@Requires`) and checks it on the object it touches.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class AdminController {
  constructor(
    private readonly control: ControlService,
    private readonly access: AccessService,
    private readonly members: MembersService,
    private readonly messaging: MessagingClient,
  ) {}

  @Post('orgs')
  @Requires('org.manage')
  @ApiContract({ summary: 'Create an organisation (instance operator)', body: CreateNamed })
  createOrg(@Req() request: AdminRequest, @Body() body: unknown) {
    return this.control.createOrg(actorOf(request), parseBody(CreateNamed, body).name);
  }

  /** The operator sees every org; a user their own. */
  @Get('orgs')
  @Requires('org.read')
  @ApiContract({ summary: 'List organisations (the operator: all; a user: their own)', query: PageParams })
  async listOrgs(@Req() request: AdminRequest, @Query() query: unknown) {
    const principal = principalOf(request);
    const { rows, nextCursor } = await paginate(
      'orgs',
      parseBody(PageParams, query),
      (after, size) => this.control.listOrgs({ after, size }),
      keysetOf,
      (orgs) => (principal.operator ? orgs : orgs.filter((org) => org.id === principal.orgId)),
    );
    return { data: rows, nextCursor };
  }

  @Post('orgs/:orgId/teams')
  @Requires('team.write')
  @ApiContract({ summary: 'Create a team in an organisation', body: CreateNamed })
  async createTeam(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Body() body: unknown) {
    await this.access.requireOrg(principalOf(request), 'team.write', orgId, 'orgId');
    return this.control.createTeam(actorOf(request), orgId, parseBody(CreateNamed, body).name);
  }

  @Get('orgs/:orgId/teams')
  @Requires('team.read')
  @ApiContract({ summary: 'List the teams of an organisation the caller may see', query: PageParams })
  async listTeams(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Query() query: unknown) {
    await this.control.requireOrg(orgId);
    const visibility = this.access.visibility(principalOf(request), 'team.read', orgId);
    const { rows, nextCursor } = await paginate(
      'teams',
      parseBody(PageParams, query),
      (after, size) => this.control.listTeams(orgId, { after, size }),
      keysetOf,
      (teams) => teams.filter((team) => visible(visibility, team.id)),
    );
    return { data: rows, nextCursor };
  }

  /** Users of an org, with their roles; a personal key names one (`userId` on key creation). */
  @Post('orgs/:orgId/users')
  @Requires('member.write')
  @ApiContract({ summary: 'Create a user of an organisation, optionally with roles', body: CreateUser })
  async createUser(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Body() body: unknown) {
    const principal = principalOf(request);
    await this.access.requireOrg(principal, 'member.write', orgId, 'orgId');
    const { email, name, roles } = parseBody(CreateUser, body);
    const user = await this.control.createUser(actorOf(request), orgId, email, name ?? null);
    const grants = roles ? await this.members.setRoles(actorOf(request), principal, user, roles) : [];
    return userView(user, grants);
  }

  @Get('orgs/:orgId/users')
  @Requires('member.read')
  @ApiContract({ summary: 'List the users of an organisation, with their roles', query: PageParams })
  async listUsers(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Query() query: unknown) {
    await this.control.requireOrg(orgId);
    const visibility = this.access.visibility(principalOf(request), 'member.read', orgId);
    const grants = new Map<string, RoleGrant[]>();
    const { rows, nextCursor } = await paginate(
      'users',
      parseBody(PageParams, query),
      (after, size) => this.control.listUsers(orgId, { after, size }),
      keysetOf,
      async (users) => {
        for (const [userId, roles] of await this.members.rolesOfUsers(users.map((user) => user.id)))
          grants.set(userId, roles);
        const shown = (user: User) => (grants.get(user.id) ?? []).some((grant) => visible(visibility, grant.teamId));
        return users.filter((user) => visibility.all || shown(user));
      },
    );
    return { data: rows.map((user) => userView(user, grants.get(user.id) ?? [])), nextCursor };
  }

  /** Anyone may read themselves. */
  @Get('users/:userId')
  @Requires(null)
  @ApiContract({ summary: 'Read a user and their roles' })
  async getUser(@Req() request: AdminRequest, @Param('userId') userId: string) {
    const user = await this.access.requireUser(principalOf(request), 'member.read', userId);
    return userView(user, await this.members.rolesOf(user.id));
  }

  /** Replaces the user's roles (org-wide, or in a team with `teamId`). */
  @Put('users/:userId/roles')
  @Requires('member.write')
  @ApiContract({ summary: 'Replace the roles of a user', body: SetRoles })
  async setRoles(@Req() request: AdminRequest, @Param('userId') userId: string, @Body() body: unknown) {
    const principal = principalOf(request);
    const user = await this.access.requireUser(principal, 'member.write', userId);
    const { roles } = parseBody(SetRoles, body);
    return userView(user, await this.members.setRoles(actorOf(request), principal, user, roles));
  }

  @Post('orgs/:orgId/projects')
  @Requires('project.write')
  @ApiContract({ summary: 'Create a project in an organisation', body: CreateProject })
  async createProject(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Body() body: unknown) {
    await this.control.requireOrg(orgId);
    const { name, teamId, dataRetention } = parseBody(CreateProject, body);
    this.access.require(principalOf(request), 'project.write', { orgId, teamId: teamId ?? null }, `org ${orgId}`);
    return this.control.createProject(actorOf(request), orgId, name, teamId ?? null, dataRetention);
  }

  @Patch('projects/:projectId')
  @Requires('project.write')
  @ApiContract({ summary: 'Change a project', body: UpdateProject })
  async updateProject(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Body() body: unknown) {
    await this.access.requireProject(principalOf(request), 'project.write', projectId);
    return this.control.updateProject(actorOf(request), projectId, parseBody(UpdateProject, body));
  }

  @Get('orgs/:orgId/projects')
  @Requires('project.read')
  @ApiContract({ summary: 'List the projects of an organisation', query: ProjectListParams })
  async listProjects(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Query() query: unknown) {
    await this.control.requireOrg(orgId);
    const visibility = this.access.visibility(principalOf(request), 'project.read', orgId);
    const { teamId, ...page } = parseBody(ProjectListParams, query);
    const { rows, nextCursor } = await paginate(
      'projects',
      page,
      (after, size) => this.control.listProjects(orgId, { after, size, teamId }),
      keysetOf,
      (projects) => projects.filter((project) => visible(visibility, project.team_id)),
    );
    return { data: rows, nextCursor };
  }

  /** Idempotent by the `Idempotency-Key` header: a retried top-up is applied once. */
  @Post('projects/:projectId/credits')
  @Requires('credits.write')
  @ApiContract({ summary: 'Top up a project (Idempotency-Key header required)', body: TopUp })
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
        { after: { balanceNanoUsd: result.balance } },
      );
    }
    return { applied: result.applied, ...balanceView(result) };
  }

  @Get('projects/:projectId/balance')
  @Requires('credits.read')
  @ApiContract({ summary: 'Read the balance of a project' })
  async balance(@Req() request: AdminRequest, @Param('projectId') projectId: string) {
    const project = await this.access.requireProject(principalOf(request), 'credits.read', projectId);
    return balanceView(await this.messaging.request(Subjects.balance, { accountId: accountOf(project.id) }));
  }

  @Get('projects/:projectId/ledger')
  @Requires('credits.read')
  @ApiContract({ summary: 'Read the ledger entries of a project', query: LedgerParams })
  async ledger(@Req() request: AdminRequest, @Param('projectId') projectId: string, @Query() query: unknown) {
    const project = await this.access.requireProject(principalOf(request), 'credits.read', projectId);
    const { limit, cursor, ...filters } = parseBody(LedgerParams, query);
    // Newest first, by entry id: a page's cursor is its last (oldest) entry.
    const { rows, nextCursor } = await paginate(
      'ledger',
      { limit, cursor },
      async (after, size) =>
        (
          await this.messaging.request(Subjects.ledger, {
            accountId: accountOf(project.id),
            ...filters,
            ...(after ? { beforeId: ledgerId(after.id) } : {}),
            limit: size,
          })
        ).entries,
      keysetOfView,
    );
    return { data: rows.map(entryView), nextCursor };
  }
}
