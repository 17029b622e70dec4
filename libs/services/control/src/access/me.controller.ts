import { Controller, Get, Req, UseFilters, UseGuards } from '@nestjs/common';
import { OpenAiErrorFilter } from '@polymux/http';

import { ControlRepository } from '../control.repository';
import { AdminAuthGuard, type AdminRequest, principalOf } from './admin-auth.guard';
import { Requires } from './requires';
import { heldPermissions } from './roles';
import { ApiContract } from '../openapi/api-contract';

/**
 * `GET /admin/v1/me`: who the credential is — the operator, or a user with their org and roles —
 * and what it may do (`permissions`: each one held, where, and whether over its own objects only).
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
@UseFilters(OpenAiErrorFilter)
export class MeController {
  constructor(private readonly tenancy: ControlRepository) {}

  @Get('me')
  @Requires(null)
  @ApiContract({ summary: 'Who the credential is' })
  async me(@Req() request: AdminRequest) {
    const principal = principalOf(request);
    const user = principal.userId ? await this.tenancy.findUser(principal.userId) : undefined;
    const org = principal.orgId ? await this.tenancy.findOrg(principal.orgId) : undefined;
    const teams = org ? new Map((await this.tenancy.listTeams(org.id)).map((team) => [team.id, team.name])) : new Map();
    return {
      object: 'principal',
      operator: principal.operator,
      keyId: principal.keyId,
      user: user ? { id: user.id, email: user.email, name: user.name } : null,
      org: org ? { id: org.id, name: org.name } : null,
      roles: principal.roles.map((grant) => ({
        role: grant.role,
        teamId: grant.teamId,
        team: grant.teamId ? (teams.get(grant.teamId) ?? null) : null,
      })),
      permissions: heldPermissions(principal.operator, principal.roles),
    };
  }
}
