import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';

import { AccessService, visible } from '../access/access.service';
import { AdminAuthGuard, type AdminRequest, principalOf } from '../access/admin-auth.guard';
import { Requires } from '../access/requires';
import { actorOf } from '../admin/admin.controller';
import { ControlService } from '../control.service';
import { ApiContract } from '../openapi/api-contract';
import { keysetOf, paginate } from '../pagination';
import { CreateInvitation, InvitationListParams } from './invitation.dto';
import { InvitationService } from './invitation.service';
import { invitationView } from './invitation.views';

/**
 * Invitations to an organisation: create (the only answer with the one-time token), list, revoke.
 * Accepting one is public, with the token (`InvitationAcceptController`).
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class InvitationController {
  constructor(
    private readonly invitations: InvitationService,
    private readonly control: ControlService,
    private readonly access: AccessService,
  ) {}

  @Post('orgs/:orgId/invitations')
  @Requires('member.write')
  @ApiContract({
    summary: 'Invite someone to an organisation (the only answer with the token)',
    body: CreateInvitation,
  })
  async create(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Body() body: unknown) {
    const principal = principalOf(request);
    await this.access.requireOrg(principal, 'member.write', orgId, 'orgId');
    const { invitation, token } = await this.invitations.invite(
      actorOf(request),
      principal,
      orgId,
      parseBody(CreateInvitation, body),
    );
    return { ...invitationView(invitation), token };
  }

  /** Like the org's users: a team admin sees the invitations into their team. */
  @Get('orgs/:orgId/invitations')
  @Requires('member.read')
  @ApiContract({ summary: 'List the invitations of an organisation', query: InvitationListParams })
  async list(@Req() request: AdminRequest, @Param('orgId') orgId: string, @Query() query: unknown) {
    await this.control.requireOrg(orgId);
    const visibility = this.access.visibility(principalOf(request), 'member.read', orgId);
    const { status, ...page } = parseBody(InvitationListParams, query);
    const { rows, nextCursor } = await paginate(
      'invitations',
      page,
      (after, size) => this.invitations.list(orgId, { after, size, status }),
      keysetOf,
      (batch) =>
        batch.filter(
          (invitation) => visibility.all || invitation.roles.some((grant) => visible(visibility, grant.teamId)),
        ),
    );
    return { data: rows.map(invitationView), nextCursor };
  }

  @Delete('invitations/:invitationId')
  @HttpCode(200)
  @Requires('member.write')
  @ApiContract({ summary: 'Revoke a pending invitation' })
  async revoke(@Req() request: AdminRequest, @Param('invitationId') invitationId: string) {
    const invitation = await this.invitations.require(principalOf(request), 'member.write', invitationId);
    return invitationView(await this.invitations.revoke(actorOf(request), invitation));
  }
}
