import { Injectable } from '@nestjs/common';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import type { BudgetScope, PolicyScope } from '@polymux/contracts';

import type { ApiKey, Project, User } from '../control.repository';
import { ControlRepository } from '../control.repository';
import { isUuid } from '../control.service';
import type { ScopeOwner } from '../scope-owner';
import { scopeOwner } from '../scope-owner';
import type { AccessTarget, Principal } from './principal';
import { RolesRepository } from './roles.repository';
import type { Permission } from './roles';
import { holds, ownOnly, readOf } from './roles';

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
        (!ownOnly(grant.role, permission) || (target.ownerUserId != null && target.ownerUserId === principal.userId)),
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

  /** Checks a permission on an org, team, project, key or user scope; answers the scope's owner. */
  async requireScope(
    principal: Principal,
    permission: Permission,
    scope: PolicyScope | BudgetScope,
    scopeId: string,
  ): Promise<ScopeOwner> {
    const owner = await scopeOwner(this.tenancy, scope, scopeId);
    this.require(principal, permission, owner, `${scope} ${scopeId}`);
    return owner;
  }

  /** `param`: the request field that named the org, for the 404's error. */
  async requireOrg(principal: Principal, permission: Permission, orgId: string, param?: string): Promise<void> {
    try {
      await this.requireScope(principal, permission, 'org', orgId);
    } catch (error) {
      if (param && error instanceof PolymuxException && error.code === ErrorCode.NotFound)
        throw new PolymuxException(ErrorCode.NotFound, error.message, { param });
      throw error;
    }
  }

  async requireProject(principal: Principal, permission: Permission, projectId: string): Promise<Project> {
    const project = isUuid(projectId) ? await this.tenancy.findProject(projectId) : undefined;
    if (!project) throw new PolymuxException(ErrorCode.NotFound, `project ${projectId} not found`);
    this.require(principal, permission, { orgId: project.org_id, teamId: project.team_id }, `project ${projectId}`);
    return project;
  }

  async requireKey(principal: Principal, permission: Permission, keyId: string): Promise<ApiKey> {
    const key = isUuid(keyId) ? await this.tenancy.findKey(keyId) : undefined;
    if (!key) throw new PolymuxException(ErrorCode.NotFound, `key ${keyId} not found`);
    const target = { orgId: key.org_id, teamId: key.team_id, ownerUserId: key.user_id };
    this.require(principal, permission, target, `key ${keyId}`);
    return key;
  }

  /** A user may always read themselves. */
  async requireUser(principal: Principal, permission: Permission, userId: string): Promise<User> {
    const user = isUuid(userId) ? await this.tenancy.findUser(userId) : undefined;
    if (!user) throw new PolymuxException(ErrorCode.NotFound, `user ${userId} not found`);
    if (permission === 'member.read' && principal.userId === user.id) return user;
    const teams = (await this.roles.rolesOf(user.id)).map((grant) => grant.teamId);
    // A team admin reads and manages the users of their team; org-wide roles all of the org's.
    const allowed =
      this.may(principal, permission, { orgId: user.org_id }) ||
      teams.some((teamId) => teamId !== null && this.may(principal, permission, { orgId: user.org_id, teamId }));
    if (!allowed) this.require(principal, permission, { orgId: user.org_id }, `user ${userId}`);
    return user;
  }

  /**
   * Org-wide reports (usage): a principal with org-wide roles reads the whole org; one whose roles
   * are all in teams must filter by one of its teams.
   */
  requireReport(principal: Principal, permission: Permission, orgId: string, teamId: string | undefined): void {
    const visibility = this.visibility(principal, permission, orgId);
    if (visibility.all || (teamId !== undefined && visibility.teams.has(teamId))) return;
    throw new PolymuxException(ErrorCode.Forbidden, 'your roles cover single teams: filter by the teamId of one', {
      param: 'teamId',
    });
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
    if (orgWide.some((grant) => !ownOnly(grant.role, permission))) return { all: true };
    const teams = new Set(
      grants.filter((grant) => grant.teamId !== null && !ownOnly(grant.role, permission)).map((g) => g.teamId!),
    );
    const own = grants.some((grant) => ownOnly(grant.role, permission));
    return { all: false, teams, ownerUserId: own ? principal.userId : null };
  }
}

export type Visibility = { all: true } | { all: false; teams: ReadonlySet<string>; ownerUserId: string | null };

/** Whether a list shows an object of this team and owner. */
export const visible = (visibility: Visibility, teamId: string | null, ownerUserId: string | null = null): boolean =>
  visibility.all ||
  (teamId !== null && visibility.teams.has(teamId)) ||
  (visibility.ownerUserId !== null && ownerUserId === visibility.ownerUserId);
