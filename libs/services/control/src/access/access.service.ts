import { Injectable } from '@nestjs/common';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { ControlRepository } from '../control.repository';
import type { AccessTarget, Principal } from './principal';
import { RolesRepository } from './roles.repository';
import type { Permission } from './roles';
import { OWN_ONLY, holds, readOf } from './roles';

/**
 * Every admin decision: whether a principal may do something to an object, and which of an org's
 * teams it may see. An object the principal may not even read answers 404 (another tenant's ids
 * reveal nothing); one it may read but not change answers 403.
 */
@Injectable()
export class AccessService {
  constructor(
    private readonly tenancy: ControlRepository,
    private readonly roles: RolesRepository,
  ) {}

  /** The principal of a user: their org and roles. */
  async forUser(userId: string, keyId: string | null): Promise<Principal | null> {
    const user = await this.tenancy.findUser(userId);
    if (!user) return null;
    return { operator: false, keyId, userId, orgId: user.org_id, roles: await this.roles.rolesOf(userId) };
  }

  may(principal: Principal, permission: Permission, target: AccessTarget): boolean {
    if (principal.operator) return true;
    if (principal.orgId !== target.orgId) return false;
    return principal.roles.some(
      (grant) =>
        holds(grant.role, permission) &&
        (grant.teamId === null || grant.teamId === (target.teamId ?? null)) &&
        (!OWN_ONLY.has(`${grant.role}:${permission}`) ||
          (target.ownerUserId != null && target.ownerUserId === principal.userId)),
    );
  }

  /** Throws 404 or 403 unless the principal may; `what` names the object in the message. */
  require(principal: Principal, permission: Permission, target: AccessTarget, what: string): void {
    if (this.may(principal, permission, target)) return;
    const read = readOf(permission);
    const visible = read !== permission && this.may(principal, read, target);
    if (!visible) throw new PolymuxException(ErrorCode.NotFound, `${what} not found`);
    throw new PolymuxException(ErrorCode.Forbidden, `your roles do not allow ${permission} on ${what}`);
  }

  /** Instance-wide actions (organisations, credit, plans, the catalog's changes): the operator only. */
  requireOperator(principal: Principal, permission: Permission): void {
    if (principal.operator) return;
    throw new PolymuxException(ErrorCode.Forbidden, `only the instance operator may ${permission}`);
  }

  /**
   * Which of an org's objects a list may show: `all`, or only those of these teams (a principal
   * whose roles granting `permission` are all team roles), or `own` (a developer's own keys).
   */
  visibility(principal: Principal, permission: Permission, orgId: string): Visibility {
    if (principal.operator) return { all: true };
    if (principal.orgId !== orgId) throw new PolymuxException(ErrorCode.NotFound, `org ${orgId} not found`);
    const grants = principal.roles.filter((grant) => holds(grant.role, permission));
    if (grants.length === 0) {
      throw new PolymuxException(ErrorCode.Forbidden, `your roles do not allow ${permission}`);
    }
    const orgWide = grants.filter((grant) => grant.teamId === null);
    if (orgWide.some((grant) => !OWN_ONLY.has(`${grant.role}:${permission}`))) return { all: true };
    const teams = new Set(
      grants
        .filter((grant) => grant.teamId !== null && !OWN_ONLY.has(`${grant.role}:${permission}`))
        .map((g) => g.teamId!),
    );
    const own = grants.some((grant) => OWN_ONLY.has(`${grant.role}:${permission}`));
    return { all: false, teams, ownerUserId: own ? principal.userId : null };
  }
}

export type Visibility = { all: true } | { all: false; teams: ReadonlySet<string>; ownerUserId: string | null };

/** Whether a list shows an object of this team and owner. */
export const visible = (visibility: Visibility, teamId: string | null, ownerUserId: string | null = null): boolean =>
  visibility.all ||
  (teamId !== null && visibility.teams.has(teamId)) ||
  (visibility.ownerUserId !== null && ownerUserId === visibility.ownerUserId);
