import { z } from 'zod';

import { RoutingPolicy } from '../routing/routing-policy';
import type { CallScopes } from './budget.message';
import { ScopedRateLimits } from './rate-limit.message';
import { CallApi } from './usage.event';

/**
 * The public APIs a key's scope names (`allowedEndpoints`): the model-call APIs (`CallApi`), the
 * model list (`GET /v1/models`, `GET /v1/models/{id}`) and the routing explanation
 * (`POST /v1/routing/explain`). `messages` covers `POST /v1/messages/count_tokens` too, and
 * `responses` the routes of stored responses (which answer that none are stored).
 */
export const KeyEndpoint = z.enum([...CallApi.options, 'models', 'routing.explain']);
export type KeyEndpoint = z.infer<typeof KeyEndpoint>;

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
  /** The public APIs the key may call; null or absent: every one. */
  allowedEndpoints: z.array(KeyEndpoint).nullable().optional(),
  /** CIDR ranges the caller's address must be in; null or absent: any address. */
  ipAllowlist: z.array(z.string()).nullable().optional(),
  /**
   * Set when the secret presented is the key's previous one, during a rotation's overlap: the
   * secret stops working at this time (the key itself does not).
   */
  secretExpiresAt: z.string().optional(),
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

/** Why a secret that belongs, or belonged, to a key is refused, and since when. */
export const KeyRefusal = z.object({ reason: z.enum(['revoked', 'expired', 'rotated']), at: z.string() });
export type KeyRefusal = z.infer<typeof KeyRefusal>;

export const ResolveKeyRequest = z.object({ keyHash: z.string().length(64) });
/** A usable key, or null: with a `refusal` when the secret is a key's that may no longer be used. */
export const ResolvedKey = z.object({ key: ApiKeyRecord.nullable(), refusal: KeyRefusal.optional() });
export type ResolvedKey = z.infer<typeof ResolvedKey>;

export const KeyRevoked = z.object({
  keyId: z.string(),
  keyHash: z.string(),
  /** The key's previous secret, when it was revoked during a rotation's overlap. */
  previousKeyHash: z.string().optional(),
});

/** A key's scopes, limits or secrets changed: ingress refetches these secrets' records on their next use. */
export const KeyChanged = z.object({ keyId: z.string(), keyHashes: z.array(z.string().length(64)).min(1) });

/** Some routing policy changed; which keys it reaches is control's to know, so every key is refetched. */
export const PoliciesChanged = z.object({ policyId: z.string() });

/** The most key uses one `key.uses.recorded.v1` carries; a replica with more sends several. */
export const KEY_USES_MAX = 1_000;

/**
 * The keys one ingress replica accepted calls of since its last report, each with the time of its
 * latest accepted call: ids and times only. Control keeps each key's greatest time, so reports may
 * arrive late or out of order.
 */
export const KeyUses = z.object({
  uses: z
    .array(z.object({ keyId: z.guid(), at: z.iso.datetime() }))
    .min(1)
    .max(KEY_USES_MAX),
});
export type KeyUses = z.infer<typeof KeyUses>;
