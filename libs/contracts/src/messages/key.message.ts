import { z } from 'zod';

import { RoutingPolicy } from '../routing/routing-policy';
import type { CallScopes } from './budget.message';
import { ScopedRateLimits } from './rate-limit.message';

export const ApiKeyRecord = z.object({
  id: z.string(),
  orgId: z.string(),
  teamId: z.string().nullable(),
  projectId: z.string(),
  /** The user a personal key belongs to; null (or absent) for a service key. */
  userId: z.string().nullable().optional(),
  /** Billing account charged for the key's calls. */
  accountId: z.string(),
  /** May call the admin API. */
  admin: z.boolean(),
  /** Models the key may call; null means any. */
  allowedModels: z.array(z.string()).nullable(),
  expiresAt: z.string().nullable(),
  /** The project lets providers retain data (`store`, `metadata`, …); absent means it does not. */
  dataRetention: z.boolean().optional(),
  /** The routing policies of the key's org, team, project and the key itself, merged; absent: none. */
  routingPolicy: RoutingPolicy.optional(),
  /** The rate limits of the key, its project, team and org that are set; absent: none. */
  rateLimits: z.array(ScopedRateLimits).optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** The budgets a key's calls count against are found by these. */
export const callScopesOf = (key: ApiKeyRecord): CallScopes => ({
  orgId: key.orgId,
  teamId: key.teamId,
  projectId: key.projectId,
  keyId: key.id,
  ...(key.userId ? { userId: key.userId } : {}),
});

export const ResolveKeyRequest = z.object({ keyHash: z.string().length(64) });
export const ResolvedKey = z.object({ key: ApiKeyRecord.nullable() });

export const KeyRevoked = z.object({ keyId: z.string(), keyHash: z.string() });

/** Some routing policy changed; which keys it reaches is control's to know, so every key is refetched. */
export const PoliciesChanged = z.object({ policyId: z.string() });
