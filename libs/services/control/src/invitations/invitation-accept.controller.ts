import { Body, Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { keyView, userView } from '../admin/admin.views';
import { ApiContract } from '../openapi/api-contract';
import { AcceptInvitation } from './invitation.dto';
import { InvitationService } from './invitation.service';

/**
 * `POST /admin/v1/invitations/accept`: public, the token is the credential (in the body, never a
 * URL). Answers the new user and their personal key with its secret, shown this once.
 */
@Controller('admin/v1/invitations')
@UseFilters(OpenAiErrorFilter)
export class InvitationAcceptController {
  constructor(private readonly invitations: InvitationService) {}

  @Post('accept')
  @HttpCode(200)
  @ApiContract({
    summary: 'Accept an invitation: creates the user and a personal key (its secret once)',
    body: AcceptInvitation,
  })
  async accept(@Req() request: FastifyRequest, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('cache-control', 'no-store');
    const { token } = parseBody(AcceptInvitation, body);
    const { invitation, user, roles, key, secret } = await this.invitations.accept(token, request.ip ?? null);
    return {
      object: 'invitation.acceptance',
      invitationId: invitation.id,
      user: userView(user, roles),
      key: { ...keyView(key), key: secret },
    };
  }
}
