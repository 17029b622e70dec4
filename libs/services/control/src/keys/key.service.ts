import { Injectable } from '@nestjs/common';
import type { AuditState, KeyEndpoint, RateLimits } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, hashApiKey } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import type { ApiKey, KeyScopeColumns } from '../control.repository';
import { ControlRepository } from '../control.repository';
import type { Actor } from '../control.service';
import { ControlService, isUuid } from '../control.service';
import type { KeyLimitsPatch } from '../rate-limits/rate-limit.service';
import { RateLimitService } from '../rate-limits/rate-limit.service';
import { displayPrefix, generateApiKey } from './api-key';

/** A key's change: a value sets a field, null lifts it (any model, endpoint, address; no expiry, no limit), absent keeps it. */
export interface KeyPatch extends KeyLimitsPatch {
  allowedModels?: string[] | null;
  allowedEndpoints?: KeyEndpoint[] | null;
  ipAllowlist?: string[] | null;
  expiresAt?: string | null;
}

const SCOPE_COLUMNS = {
  allowedModels: 'allowed_models',
  allowedEndpoints: 'allowed_endpoints',
  ipAllowlist: 'ip_allowlist',
  expiresAt: 'expires_at',
} as const satisfies Record<string, keyof KeyScopeColumns>;
type ScopeField = keyof typeof SCOPE_COLUMNS;
const LIMIT_FIELDS = ['rpm', 'tpm', 'maxConcurrent'] as const;

const scopesOf = (key: ApiKey): Record<ScopeField, string[] | string | null> => ({
  allowedModels: key.allowed_models,
  allowedEndpoints: key.allowed_endpoints,
  ipAllowlist: key.ip_allowlist,
  expiresAt: key.expires_at?.toISOString() ?? null,
});

/** The secrets ingress may hold a record of: the key's current one and, after a rotation, its previous one. */
const hashesOf = (key: ApiKey, ...more: Array<string | null>): string[] =>
  [key.key_hash, key.previous_key_hash, ...more].filter((hash): hash is string => hash !== null);

/**
 * Changes of an existing key: its scopes, expiry and own limits (`PATCH /admin/v1/keys/:id`), and
 * rotation to a new secret with an overlap in which the previous one keeps working. Each change is
 * audited and broadcast on `control.key.changed.v1`, on which every ingress replica refetches the
 * key's records at their next use; the key id stays, so limits, budgets and usage go on counting.
 */
@Injectable()
export class KeyService {
  constructor(
    private readonly repository: ControlRepository,
    private readonly control: ControlService,
    private readonly rateLimits: RateLimitService,
    private readonly messaging: MessagingClient,
  ) {}

  async update(actor: Actor, keyId: string, patch: KeyPatch): Promise<{ key: ApiKey; limits: RateLimits | null }> {
    let key = await this.requireActive(keyId);
    const scopeFields = (Object.keys(SCOPE_COLUMNS) as ScopeField[]).filter((field) => patch[field] !== undefined);
    const limitFields = LIMIT_FIELDS.filter((field) => patch[field] !== undefined);
    // The fields changed, before and after: scopes, expiry and limits (null: unset).
    const before: AuditState = {};
    const after: AuditState = {};
    if (scopeFields.length > 0) {
      const columns: KeyScopeColumns = {};
      for (const field of scopeFields) {
        const value = patch[field];
        if (field === 'expiresAt') columns.expires_at = typeof value === 'string' ? new Date(value) : null;
        else columns[SCOPE_COLUMNS[field]] = value as string[] | null;
      }
      const updated = await this.repository.updateKey(key.id, columns);
      if (!updated) throw new PolymuxException(ErrorCode.NotFound, `active key ${keyId} not found`);
      for (const field of scopeFields) {
        before[field] = scopesOf(key)[field];
        after[field] = scopesOf(updated)[field];
      }
      key = updated;
    }
    const limitPatch = Object.fromEntries(limitFields.map((field) => [field, patch[field]])) as KeyLimitsPatch;
    const limits = await this.rateLimits.changeKeyLimits(key.id, limitPatch);
    for (const field of limitFields) {
      before[field] = limits.before[field] ?? null;
      after[field] = limits.after[field] ?? null;
    }
    if (scopeFields.length + limitFields.length > 0) {
      await this.changed(key);
      await this.control.audit(
        actor,
        'api_key.update',
        `api_key:${key.id}`,
        key.org_id,
        key.project_id,
        {},
        {
          before,
          after,
        },
      );
    }
    return { key, limits: Object.keys(limits.after).length > 0 ? limits.after : null };
  }

  /**
   * Gives the key a new secret, answered here only. Its current secret keeps working for
   * `overlapSeconds` (0: it stops now), then is refused as rotated; a secret still in the overlap
   * of an earlier rotation stops at once.
   */
  async rotate(actor: Actor, keyId: string, overlapSeconds: number): Promise<{ key: ApiKey; secret: string }> {
    const secret = generateApiKey();
    const previousPrefix = (isUuid(keyId) ? await this.repository.findKey(keyId) : undefined)?.key_prefix ?? null;
    const previousExpiresAt = new Date(Date.now() + overlapSeconds * 1_000);
    const rotated = isUuid(keyId)
      ? await this.repository.rotateKey(
          keyId,
          { hash: hashApiKey(secret), prefix: displayPrefix(secret) },
          previousExpiresAt,
        )
      : undefined;
    if (!rotated) throw new PolymuxException(ErrorCode.NotFound, `active key ${keyId} not found`);
    const { key, replaced } = rotated;
    await this.changed(key, replaced);
    // The shown prefixes tell the secrets apart; neither secret nor hash is recorded.
    await this.control.audit(
      actor,
      'api_key.rotate',
      `api_key:${key.id}`,
      key.org_id,
      key.project_id,
      { overlapSeconds, previousSecretExpiresAt: previousExpiresAt.toISOString() },
      { before: { prefix: previousPrefix }, after: { prefix: key.key_prefix } },
    );
    return { key, secret };
  }

  private async requireActive(keyId: string): Promise<ApiKey> {
    const key = isUuid(keyId) ? await this.repository.findKey(keyId) : undefined;
    if (!key || key.revoked_at !== null)
      throw new PolymuxException(ErrorCode.NotFound, `active key ${keyId} not found`);
    return key;
  }

  private async changed(key: ApiKey, ...more: Array<string | null>): Promise<void> {
    await this.messaging.emit(
      Subjects.keyChanged,
      { keyId: key.id, keyHashes: hashesOf(key, ...more) },
      { messageId: `${key.id}:${key.key_hash}:${Date.now()}` },
    );
  }
}
