import type { BudgetScope, PolicyScope } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import type { ControlRepository } from './control.repository';
import { isUuid } from './control.service';

/** The org (and project, for a project or key) an org, team, project or key belongs to, for audit records. */
export interface ScopeOwner {
  orgId: string;
  projectId: string | null;
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
      return { orgId: org.id, projectId: null };
    }
    case 'team': {
      const team = await tenancy.findTeam(scopeId);
      if (!team) throw missing();
      return { orgId: team.org_id, projectId: null };
    }
    case 'project': {
      const project = await tenancy.findProject(scopeId);
      if (!project) throw missing();
      return { orgId: project.org_id, projectId: project.id };
    }
    case 'key': {
      const key = await tenancy.findKey(scopeId);
      if (!key) throw missing();
      return { orgId: key.org_id, projectId: key.project_id };
    }
    case 'user': {
      const user = await tenancy.findUser(scopeId);
      if (!user) throw missing();
      return { orgId: user.org_id, projectId: null };
    }
  }
};
