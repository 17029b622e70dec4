import type { Balance, LedgerEntry, RateLimits } from '@polymux/contracts';
import { nanoToUsd } from '@polymux/contracts';

import type { RoleGrant } from '../access/principal';
import type { ApiKey, User } from '../control.repository';

export const userView = (user: User, roles: readonly RoleGrant[]) => ({
  id: user.id,
  orgId: user.org_id,
  email: user.email,
  name: user.name,
  roles: roles.map((grant) => ({ role: grant.role, teamId: grant.teamId })),
  createdAt: user.created_at.toISOString(),
});

/** A key as listings show it, never the secret or the hash; with its own rate limits (null: not limited at the key; its project, team or org may be). */
export const keyView = (key: ApiKey, limits: RateLimits | null = null) => ({
  id: key.id,
  name: key.name,
  prefix: key.key_prefix,
  projectId: key.project_id,
  userId: key.user_id,
  admin: key.admin,
  allowedModels: key.allowed_models,
  allowedEndpoints: key.allowed_endpoints,
  ipAllowlist: key.ip_allowlist,
  expiresAt: key.expires_at?.toISOString() ?? null,
  rotatedAt: key.rotated_at?.toISOString() ?? null,
  /** Until when the secret before the last rotation works (past: it is refused as rotated). */
  previousSecretExpiresAt: key.previous_key_expires_at?.toISOString() ?? null,
  rpm: limits?.rpm ?? null,
  tpm: limits?.tpm ?? null,
  maxConcurrent: limits?.maxConcurrent ?? null,
  revokedAt: key.revoked_at?.toISOString() ?? null,
  /** The key's latest call ingress accepted, up to `POLYMUX_KEY_USE_FLUSH_MS` late; null: none yet. */
  lastUsedAt: key.last_used_at?.toISOString() ?? null,
  createdAt: key.created_at.toISOString(),
});

export const balanceView = (balance: Balance) => ({
  accountId: balance.accountId,
  balanceUsd: nanoToUsd(BigInt(balance.balance)),
  reservedUsd: nanoToUsd(BigInt(balance.reserved)),
  balanceNanoUsd: balance.balance,
  reservedNanoUsd: balance.reserved,
});

export const entryView = (entry: LedgerEntry) => ({
  ...entry,
  amountUsd: nanoToUsd(BigInt(entry.amount)),
  amountNanoUsd: entry.amount,
});
