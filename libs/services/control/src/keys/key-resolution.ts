import type { KeyEndpoint, ResolvedKey } from '@polymux/contracts';

import type { ApiKey } from '../control.repository';

export const accountOf = (projectId: string) => `project:${projectId}`;

/** A key row as a secret finds it, with its project's retention setting, which every call needs. */
export type KeyRow = ApiKey & { data_retention: boolean };

/**
 * What a secret resolves to: the key as ingress needs it, or null — with the reason when the
 * secret is a key's that may no longer be used (revoked, expired, or its previous secret after the
 * rotation's overlap). A previous secret within its overlap is the same key, with the time it ends.
 */
export const resolutionOf = (row: KeyRow | undefined, keyHash: string, nowMs: number): ResolvedKey => {
  if (!row) return { key: null };
  if (row.revoked_at !== null) return { key: null, refusal: { reason: 'revoked', at: row.revoked_at.toISOString() } };
  if (row.expires_at !== null && row.expires_at.getTime() <= nowMs)
    return { key: null, refusal: { reason: 'expired', at: row.expires_at.toISOString() } };
  const previous = row.key_hash !== keyHash;
  const secretEnds = previous ? (row.previous_key_expires_at ?? row.rotated_at ?? new Date(0)) : null;
  if (secretEnds && secretEnds.getTime() <= nowMs)
    return { key: null, refusal: { reason: 'rotated', at: secretEnds.toISOString() } };
  return {
    key: {
      id: row.id,
      orgId: row.org_id,
      teamId: row.team_id,
      projectId: row.project_id,
      userId: row.user_id,
      accountId: accountOf(row.project_id),
      admin: row.admin,
      allowedModels: row.allowed_models,
      allowedEndpoints: row.allowed_endpoints as KeyEndpoint[] | null,
      ipAllowlist: row.ip_allowlist,
      expiresAt: row.expires_at?.toISOString() ?? null,
      ...(secretEnds ? { secretExpiresAt: secretEnds.toISOString() } : {}),
      dataRetention: row.data_retention,
    },
  };
};
