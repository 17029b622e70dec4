import type { paths } from './schema';

/**
 * The answers the console reads, typed narrowly. The OpenAPI document types request bodies and
 * query parameters exactly (schema.ts) but most answers only as objects, so the fields used here
 * are written out once, as the admin API's views (`*.views.ts`) return them.
 */

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface ConsoleConfig {
  mode: 'embedded' | 'distributed';
  sso: boolean;
  publicUrl: string | null;
  dataPlanePort: number;
  /** The Jaeger UI and the service name ingress's spans carry there; null: no trace links. */
  jaeger: { url: string; service: string } | null;
}

export interface HeldPermission {
  permission: string;
  teamId: string | null;
  ownOnly: boolean;
}

export interface Me {
  operator: boolean;
  keyId: string | null;
  user: { id: string; email: string; name: string | null } | null;
  org: { id: string; name: string } | null;
  roles: Array<{ role: string; teamId: string | null; team: string | null }>;
  permissions: HeldPermission[];
}

export interface Org {
  id: string;
  name: string;
}

export interface Project {
  id: string;
  name: string;
  org_id: string;
  team_id: string | null;
}

export type KeyEndpoint = 'chat.completions' | 'responses' | 'messages' | 'embeddings' | 'models' | 'routing.explain';

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  projectId: string;
  userId: string | null;
  admin: boolean;
  allowedModels: string[] | null;
  allowedEndpoints: KeyEndpoint[] | null;
  ipAllowlist: string[] | null;
  expiresAt: string | null;
  rotatedAt: string | null;
  previousSecretExpiresAt: string | null;
  rpm: number | null;
  tpm: number | null;
  maxConcurrent: number | null;
  revokedAt: string | null;
  createdAt: string;
}

/** Creation and rotation answers: the only ones holding the secret. */
export type KeyWithSecret = ApiKey & { key: string };

export interface Balance {
  balanceUsd: string;
  reservedUsd: string;
}

export interface SsoSession {
  sessionToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  userId: string;
}

export type PolicyScope = 'org' | 'team' | 'project' | 'key';

/** A routing policy as `PUT /admin/v1/routing-policies/{scope}/{id}` takes it (docs/routing.md). */
export type RoutingPolicy =
  paths['/admin/v1/routing-policies/{scope}/{scopeId}']['put']['requestBody']['content']['application/json'];
export type RoutingStrategy = NonNullable<RoutingPolicy['strategy']>;

export interface StoredPolicy {
  id: string;
  scope: PolicyScope;
  scopeId: string;
  policy: RoutingPolicy;
  createdAt: string;
  updatedAt: string;
}

/** `POST /v1/routing/explain`'s answer (`RoutingExplanation` in libs/contracts). */
export interface RoutingExplanation {
  task: string;
  complexity: 'low' | 'medium' | 'high';
  confidence: number;
  language?: string;
  inputTokens?: number;
  signals: {
    estimatedInputTokens: number;
    inputTokensUpperBound: number;
    messageCount: number;
    hasTools: boolean;
    hasImages: boolean;
    hasResponseFormat: boolean;
    hasCodeFence: boolean;
    complexity: string;
  };
  resolvedFrom: 'model' | 'alias' | 'auto';
  strategy: string;
  tier?: string;
  budgetPressure?: { budgetId: string; scope: string; usedPercent: number; atPercent: number };
  candidates: Array<{
    deploymentId: string;
    model: string;
    provider: string;
    kept: boolean;
    score?: number;
    reason: string;
    retainsData?: boolean;
  }>;
  model: string;
  deploymentId: string;
  fallbacks: Array<{ model: string; deploymentId: string }>;
  secondOpinion?: { model: string; outcome: string; classifierTask: string };
}

export interface AuditRecord {
  seq: number;
  id: string;
  occurredAt: string;
  category: 'admin' | 'call';
  action: string;
  outcome: string;
  actorKeyId: string | null;
  actorUserId: string | null;
  sourceAddress: string | null;
  orgId: string | null;
  projectId: string | null;
  requestId: string | null;
  target: string | null;
  metadata: Record<string, unknown>;
  before: unknown;
  after: unknown;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  chains: number;
  firstBroken: {
    chainId: string;
    reason: string;
    id: string | null;
    seq: number | null;
    position: number;
    expected: string;
    found: string;
  } | null;
}

/** Tokens and money as the usage and session answers give them. */
export interface Used {
  inputTokens: number;
  outputTokens: number;
  chargedUsd: string;
  listCostUsd: string;
}

export interface SessionCall extends Used {
  requestId: string;
  parentRequestId: string | null;
  depth: number;
  children: string[];
  projectId: string;
  keyId: string;
  requestedModel: string;
  model: string;
  provider: string;
  deploymentId: string;
  api: string;
  task: string;
  status: string;
  stream: boolean;
  latencyMs: number;
  startedAt: string;
  endedAt: string;
}

export interface Session {
  sessionId: string;
  orgId: string;
  totals: Used & { calls: number; latencyMs: number; wallClockMs: number; startedAt: string; endedAt: string };
  roots: string[];
  calls: SessionCall[];
  truncated: boolean;
}

/** A row of `GET /admin/v1/usage` grouped by session. */
export interface SessionGroup extends Used {
  group: { session: string | null };
  calls: number;
}
