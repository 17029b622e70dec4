import { Injectable } from '@nestjs/common';
import type { ApiKeyRecord, RateLimitScope, RateLimits, ScopedRateLimits } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { ControlRepository } from '../control.repository';
import type { Actor } from '../control.service';
import { ControlService, isUuid } from '../control.service';
import { scopeOwner } from '../scope-owner';
import type { StoredRateLimit } from './rate-limit.repository';
import { RateLimitRepository } from './rate-limit.repository';

/** A stored row's limits, the unset ones left out. */
export const limitsOf = (stored: StoredRateLimit): RateLimits => ({
  ...(stored.rpm === null ? {} : { rpm: stored.rpm }),
  ...(stored.tpm === null ? {} : { tpm: stored.tpm }),
  ...(stored.max_concurrent === null ? {} : { maxConcurrent: stored.max_concurrent }),
});

/** A change of a key's own limits: a number sets one, null lifts it, an absent one is kept. */
export type KeyLimitsPatch = { [name in keyof RateLimits]?: number | null };

const ORDER: readonly RateLimitScope[] = ['org', 'team', 'project', 'key'];

/**
 * Rate limits of orgs, teams, projects and keys. Control resolves a key's four levels with the key
 * (`forKey`), so ingress enforces them without asking again; a change is audited and broadcast on
 * `control.policies.changed.v1`, on which every ingress replica drops its cached keys.
 */
@Injectable()
export class RateLimitService {
  constructor(
    private readonly limits: RateLimitRepository,
    private readonly tenancy: ControlRepository,
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
  ) {}

  /** Replaces a scope's limits; with none left set, the scope has none (as `delete`). */
  async set(actor: Actor, scope: RateLimitScope, scopeId: string, limits: RateLimits): Promise<StoredRateLimit> {
    const owner = await scopeOwner(this.tenancy, scope, scopeId);
    const before = await this.limits.find(scope, scopeId);
    const stored = await this.limits.upsert(scope, scopeId, limits);
    await this.changed(stored, 'set');
    await this.control.audit(
      actor,
      `rate_limit.set`,
      `rate_limit:${scope}:${scopeId}`,
      owner.orgId,
      owner.projectId,
      { scope, ...Object.fromEntries(Object.entries(limits).map(([name, value]) => [name, String(value)])) },
      { before: before ? limitsOf(before) : null, after: limitsOf(stored) },
    );
    return stored;
  }

  /**
   * Changes a key's own limits (a number sets one, null lifts it, absent keeps it); a key left with
   * none has no row. Answers its limits before and after: the key's update (`KeyService.update`)
   * audits the change and tells ingress.
   */
  async changeKeyLimits(keyId: string, patch: KeyLimitsPatch): Promise<{ before: RateLimits; after: RateLimits }> {
    const current = await this.limits.find('key', keyId);
    const before = current ? limitsOf(current) : {};
    if (Object.keys(patch).length === 0) return { before, after: before };
    const merged = { ...before, ...patch };
    const after = Object.fromEntries(Object.entries(merged).filter(([, value]) => value != null)) as RateLimits;
    if (Object.keys(after).length > 0) await this.limits.upsert('key', keyId, after);
    else await this.limits.delete('key', keyId);
    return { before, after };
  }

  /** A new key's limits: nothing has cached the key yet, so nothing is broadcast (its creation is audited). */
  async setForNewKey(keyId: string, limits: RateLimits): Promise<RateLimits | null> {
    if (Object.keys(limits).length === 0) return null;
    return limitsOf(await this.limits.upsert('key', keyId, limits));
  }

  async get(scope: RateLimitScope, scopeId: string): Promise<StoredRateLimit> {
    const stored = isUuid(scopeId) ? await this.limits.find(scope, scopeId) : undefined;
    if (!stored) throw new PolymuxException(ErrorCode.NotFound, `no rate limits are set on ${scope} ${scopeId}`);
    return stored;
  }

  /** The limits of each of these keys, by key id (keys without any are absent). */
  async ofKeys(keyIds: readonly string[]): Promise<Map<string, RateLimits>> {
    return new Map((await this.limits.ofKeys(keyIds)).map((stored) => [stored.scope_id, limitsOf(stored)]));
  }

  async delete(actor: Actor, scope: RateLimitScope, scopeId: string): Promise<StoredRateLimit> {
    const owner = await scopeOwner(this.tenancy, scope, scopeId);
    const stored = await this.limits.delete(scope, scopeId);
    if (!stored) throw new PolymuxException(ErrorCode.NotFound, `no rate limits are set on ${scope} ${scopeId}`);
    await this.changed(stored, 'delete');
    await this.control.audit(
      actor,
      'rate_limit.delete',
      `rate_limit:${scope}:${scopeId}`,
      owner.orgId,
      owner.projectId,
      { scope },
      { before: limitsOf(stored), after: null },
    );
    return stored;
  }

  /** The limits a key's calls count against, broadest first; undefined for none. */
  async forKey(key: ApiKeyRecord): Promise<ScopedRateLimits[] | undefined> {
    const stored = await this.limits.ofLevels({
      org: key.orgId,
      team: key.teamId,
      project: key.projectId,
      key: key.id,
    });
    const set = stored
      .map((row) => ({ scope: row.scope, scopeId: row.scope_id, ...limitsOf(row) }))
      .filter((row) => row.rpm !== undefined || row.tpm !== undefined || row.maxConcurrent !== undefined);
    if (set.length === 0) return undefined;
    return set.sort((a, b) => ORDER.indexOf(a.scope) - ORDER.indexOf(b.scope));
  }

  private async changed(stored: StoredRateLimit, what: string): Promise<void> {
    // The routing policies' broadcast: a replica refetches every key, whose record carries its limits.
    await this.messaging.emit(
      Subjects.policiesChanged,
      { policyId: `rate_limit:${stored.id}` },
      { messageId: `rate_limit:${stored.id}:${what}:${Date.now()}` },
    );
  }
}
