import { Injectable } from '@nestjs/common';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import type { User } from '../control.repository';
import { ControlRepository } from '../control.repository';
import type { Actor } from '../control.service';
import { ControlService, isUuid } from '../control.service';
import type { Principal, RoleGrant } from './principal';
import { RolesRepository } from './roles.repository';
import type { Role } from './roles';
import { heldIn } from './roles';

/** Users' roles: which may be held where, who may grant them, and the audited change. */
@Injectable()
export class MembersService {
  constructor(
    private readonly tenancy: ControlRepository,
    private readonly control: ControlService,
    private readonly roles: RolesRepository,
  ) {}

  rolesOf(userId: string): Promise<RoleGrant[]> {
    return this.roles.rolesOf(userId);
  }

  rolesOfUsers(userIds: readonly string[]): Promise<Map<string, RoleGrant[]>> {
    return this.roles.rolesOfUsers(userIds);
  }

  /** Replaces a user's roles; only an owner (or the operator) makes an owner or changes one's roles. */
  async setRoles(
    actor: Actor,
    principal: Principal,
    user: User,
    requested: ReadonlyArray<{ role: Role; teamId?: string | null }>,
  ): Promise<RoleGrant[]> {
    const current = await this.roles.rolesOf(user.id);
    const grants = await this.grantable(principal, user.org_id, requested, current);
    await this.roles.replace(user.id, user.org_id, grants);
    await this.control.audit(actor, 'user.roles.set', `user:${user.id}`, user.org_id, null, {
      before: describeGrants(current),
      after: describeGrants(grants),
    });
    return grants;
  }

  /**
   * The roles requested, checked: each held where it may be (team roles in a team of the org), and
   * `owner` (given, or among the `current` ones replaced) only by an owner or the operator.
   */
  async grantable(
    principal: Principal,
    orgId: string,
    requested: ReadonlyArray<{ role: Role; teamId?: string | null }>,
    current: readonly RoleGrant[] = [],
  ): Promise<RoleGrant[]> {
    const grants = await this.validated(orgId, requested);
    const touchesOwner = [...grants, ...current].some((grant) => grant.role === 'owner');
    const isOwner = principal.roles.some((grant) => grant.role === 'owner' && grant.teamId === null);
    if (touchesOwner && !principal.operator && !isOwner)
      throw new PolymuxException(ErrorCode.Forbidden, "only an owner may make an owner or change an owner's roles", {
        param: 'roles',
      });
    return grants;
  }

  private async validated(
    orgId: string,
    requested: ReadonlyArray<{ role: Role; teamId?: string | null }>,
  ): Promise<RoleGrant[]> {
    const grants: RoleGrant[] = [];
    for (const [index, { role, teamId = null }] of requested.entries()) {
      const param = `roles[${index}]`;
      if (teamId === null && !heldIn(role, false))
        throw new PolymuxException(ErrorCode.InvalidRequest, `${role} is held in a team: give its teamId`, { param });
      if (teamId !== null) {
        if (!heldIn(role, true))
          throw new PolymuxException(ErrorCode.InvalidRequest, `${role} is an org-wide role: drop its teamId`, {
            param,
          });
        const team = isUuid(teamId) ? await this.tenancy.findTeam(teamId) : undefined;
        if (!team || team.org_id !== orgId)
          throw new PolymuxException(ErrorCode.NotFound, `team ${teamId} not found in the user's org`, { param });
      }
      if (!grants.some((grant) => grant.role === role && grant.teamId === teamId)) grants.push({ role, teamId });
    }
    return grants;
  }
}

/** Roles as one audit value: `owner,developer@<team>`. */
export const describeGrants = (grants: readonly RoleGrant[]): string =>
  grants.map((grant) => (grant.teamId ? `${grant.role}@${grant.teamId}` : grant.role)).join(',');
