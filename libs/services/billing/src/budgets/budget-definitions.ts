import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import type { CallScopes } from '@polymux/contracts';

import type { OrgBudgets, StoredBudget } from './budget.repository';
import { BudgetRepository } from './budget.repository';

const NONE: OrgBudgets = { revision: 0, budgets: [], plans: [] };
/** A replica that missed nothing still rereads every org now and then (a change always reaches it sooner: `stale`). */
const REFRESH_MS = 60_000;

/** The budgets a call with these scopes counts against. */
export const applicableTo = (budgets: readonly StoredBudget[], scopes: CallScopes): StoredBudget[] =>
  budgets.filter((budget) => {
    switch (budget.scope) {
      case 'org':
        return budget.scope_id === scopes.orgId;
      case 'team':
        return scopes.teamId !== null && budget.scope_id === scopes.teamId;
      case 'project':
        return budget.scope_id === scopes.projectId;
      case 'key':
        return budget.scope_id === scopes.keyId;
      case 'user':
        return scopes.userId != null && budget.scope_id === scopes.userId;
    }
  });

/**
 * Every org's budgets in memory, so no call reads Postgres for them: all of them at start, one org
 * again when the budget store answers that its revision is newer than ours (another replica changed
 * them), and all of them every minute. Concurrent reloads of one org share one query.
 */
@Injectable()
export class BudgetDefinitions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Billing');
  private orgs = new Map<string, OrgBudgets>();
  private readonly loading = new Map<string, Promise<OrgBudgets>>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly repository: BudgetRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refreshAll();
    this.timer = setInterval(() => {
      this.refreshAll().catch((error: unknown) =>
        this.logger.warn(`budget definitions not refreshed: ${(error as Error).message}`),
      );
    }, REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** An org's budgets as this replica knows them; an org it has never seen has none (revision 0). */
  of(orgId: string): OrgBudgets {
    return this.orgs.get(orgId) ?? NONE;
  }

  /** Reads an org's budgets again from Postgres. */
  reload(orgId: string): Promise<OrgBudgets> {
    const pending = this.loading.get(orgId);
    if (pending) return pending;
    const load = this.repository
      .ofOrg(orgId)
      .then((org) => this.remember(orgId, org))
      .finally(() => this.loading.delete(orgId));
    this.loading.set(orgId, load);
    return load;
  }

  /** Keeps what was read, unless a newer revision is already known. */
  remember(orgId: string, org: OrgBudgets): OrgBudgets {
    const known = this.orgs.get(orgId);
    if (known && known.revision > org.revision) return known;
    this.orgs.set(orgId, org);
    return org;
  }

  private async refreshAll(): Promise<void> {
    const all = await this.repository.all();
    for (const [orgId, known] of this.orgs) {
      const read = all.get(orgId);
      if (!read || read.revision < known.revision) all.set(orgId, known);
    }
    this.orgs = all;
  }
}
