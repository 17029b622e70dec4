import { Injectable } from '@nestjs/common';
import type { ApiKeyRecord, PolicyScope, RoutingPolicy } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, mergePolicies } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { ControlRepository } from '../control.repository';
import { stateOf } from '../audit/audit-state';
import type { Actor, Change } from '../control.service';
import { ControlService, isUuid } from '../control.service';
import type { ScopeOwner } from '../scope-owner';
import { scopeOwner } from '../scope-owner';
import type { StoredPolicy } from './routing-policy.repository';
import { RoutingPolicyRepository } from './routing-policy.repository';

/**
 * Routing policies attached to orgs, teams, projects and keys. A key's calls follow the merge of
 * its four levels (`mergePolicies`), which control resolves with the key, so the policy travels
 * with every call and the router stays stateless. A change is audited and broadcast
 * (`control.policies.changed.v1`): every ingress replica drops its cached keys and refetches them.
 */
@Injectable()
export class RoutingPolicyService {
  constructor(
    private readonly policies: RoutingPolicyRepository,
    private readonly tenancy: ControlRepository,
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
  ) {}

  async set(actor: Actor, scope: PolicyScope, scopeId: string, policy: RoutingPolicy): Promise<StoredPolicy> {
    const owner = await this.owner(scope, scopeId);
    const before = await this.policies.find(scope, scopeId);
    const stored = await this.policies.upsert(scope, scopeId, policy);
    await this.changed(
      actor,
      'routing_policy.set',
      stored,
      owner,
      { fields: Object.keys(policy).sort().join(',') },
      {
        before: before ? stateOf(before.policy) : null,
        after: stateOf(stored.policy),
      },
    );
    return stored;
  }

  async get(scope: PolicyScope, scopeId: string): Promise<StoredPolicy> {
    const stored = isUuid(scopeId) ? await this.policies.find(scope, scopeId) : undefined;
    if (!stored) throw new PolymuxException(ErrorCode.NotFound, `no routing policy is attached to ${scope} ${scopeId}`);
    return stored;
  }

  list(): Promise<StoredPolicy[]> {
    return this.policies.list();
  }

  async delete(actor: Actor, scope: PolicyScope, scopeId: string): Promise<StoredPolicy> {
    const owner = await this.owner(scope, scopeId);
    const stored = await this.policies.delete(scope, scopeId);
    if (!stored) throw new PolymuxException(ErrorCode.NotFound, `no routing policy is attached to ${scope} ${scopeId}`);
    await this.changed(
      actor,
      'routing_policy.delete',
      stored,
      owner,
      {},
      { before: stateOf(stored.policy), after: null },
    );
    return stored;
  }

  /** The policy a key's calls follow: its org's, team's, project's and own, merged; undefined for none. */
  async resolvedFor(key: ApiKeyRecord): Promise<RoutingPolicy | undefined> {
    const stored = await this.policies.ofLevels({
      org: key.orgId,
      team: key.teamId,
      project: key.projectId,
      key: key.id,
    });
    if (stored.length === 0) return undefined;
    const order: PolicyScope[] = ['org', 'team', 'project', 'key'];
    stored.sort((a, b) => order.indexOf(a.scope) - order.indexOf(b.scope));
    return mergePolicies(stored.map((row) => row.policy as RoutingPolicy));
  }

  private async changed(
    actor: Actor,
    action: string,
    stored: StoredPolicy,
    owner: ScopeOwner,
    metadata: Record<string, string>,
    change: Change,
  ): Promise<void> {
    await this.messaging.emit(
      Subjects.policiesChanged,
      { policyId: stored.id },
      { messageId: `${stored.id}:${Date.now()}` },
    );
    await this.control.audit(
      actor,
      action,
      `routing_policy:${stored.scope}:${stored.scope_id}`,
      owner.orgId,
      owner.projectId,
      {
        scope: stored.scope,
        ...metadata,
      },
      change,
    );
  }

  private owner(scope: PolicyScope, scopeId: string): Promise<ScopeOwner> {
    return scopeOwner(this.tenancy, scope, scopeId);
  }
}
