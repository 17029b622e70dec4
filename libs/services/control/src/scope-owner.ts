import type { BudgetScope, PolicyScope } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import type { ControlRepository } from './control.repository';
import { isUuid } from './control.service';

/**
 * The org (and project, for a project or key) an org, team, project, key or user belongs to, for
 * audit records; with its team and owning user, for access checks.
 */
export interface ScopeOwner {
  orgId: string;
  projectId: string | null;
  teamId: string | null;
  ownerUserId: string | null;
}

/** Who owns a scope; NotFound when the scope does not exist. Routing policies attach to four, budgets to a user too. */
export const scopeOwner = async (
  tenancy: ControlRepository,
  scope: PolicyScope | BudgetScope,
  scopeId: string,
): Promise<ScopeOwner> => {
  const missing = () => new PolymuxException(ErrorCode.NotFound, `${scope} ${scopeId} not found`);
  if (!isUuid(scopeId)) throw missing();
  switch (scope) {
    case 'org': {
      const org = await tenancy.findOrg(scopeId);
      if (!org) throw missing();
      return { orgId: org.id, projectId: null, teamId: null, ownerUserId: null };
    }
    case 'team': {
      const team = await tenancy.findTeam(scopeId);
      if (!team) throw missing();
      return { orgId: team.org_id, projectId: null, teamId: team.id, ownerUserId: null };
    }
    case 'project': {
      const project = await tenancy.findProject(scopeId);
      if (!project) throw missing();
      return { orgId: project.org_id, projectId: project.id, teamId: project.team_id, ownerUserId: null };
    }
    case 'key': {
      const key = await tenancy.findKey(scopeId);
      if (!key) throw missing();
      return { orgId: key.org_id, projectId: key.project_id, teamId: key.team_id, ownerUserId: key.user_id };
    }
    case 'user': {
      const user = await tenancy.findUser(scopeId);
      if (!user) throw missing();
      return { orgId: user.org_id, projectId: null, teamId: null, ownerUserId: user.id };
    }
  }
};
