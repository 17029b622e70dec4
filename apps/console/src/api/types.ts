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

export interface Team {
  id: string;
  name: string;
  org_id: string;
  created_at: string;
}

export interface Project {
  id: string;
  name: string;
  org_id: string;
  team_id: string | null;
  /** Providers may retain the project's data (fields such as `store` are passed on). */
  data_retention: boolean;
  created_at: string;
}

export type Role = 'owner' | 'admin' | 'billing_admin' | 'team_admin' | 'developer' | 'viewer' | 'auditor';

/** A role held org-wide (`teamId` null) or in one team. */
export interface RoleGrant {
  role: Role;
  teamId: string | null;
}

export interface Member {
  id: string;
  orgId: string;
  email: string;
  name: string | null;
  roles: RoleGrant[];
  createdAt: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface Invitation {
  id: string;
  orgId: string;
  email: string;
  name: string | null;
  roles: RoleGrant[];
  projectId: string;
  status: InvitationStatus;
  expiresAt: string;
  invitedByUserId: string | null;
  acceptedAt: string | null;
  userId: string | null;
  revokedAt: string | null;
  createdAt: string;
}

/** The creation answer: the only one holding the one-time token. */
export type InvitationWithToken = Invitation & { token: string };

/** `POST /admin/v1/invitations/accept`: the new user and their personal key, its secret shown once. */
export interface Acceptance {
  invitationId: string;
  user: Member;
  key: KeyWithSecret;
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
  /** The latest call ingress accepted with the key (reported in batches, so up to a flush interval late); null: never. */
  lastUsedAt: string | null;
  createdAt: string;
}

/** Creation and rotation answers: the only ones holding the secret. */
export type KeyWithSecret = ApiKey & { key: string };

export interface Balance {
  balanceUsd: string;
  reservedUsd: string;
  balanceNanoUsd: string;
  reservedNanoUsd: string;
}

export type LedgerKind = 'top_up' | 'charge' | 'overrun' | 'grant' | 'grant_expiry' | 'refund' | 'adjustment';

export interface LedgerEntry {
  id: string;
  transactionId: string;
  /** `project:<id>`, or a grant's sub-account `project:<id>/grant:<grant id>`. */
  account: string;
  kind: LedgerKind;
  amountNanoUsd: string;
  requestId: string | null;
  reason: string | null;
  createdAt: string;
}

export type StatementLineName =
  'top_ups' | 'grants' | 'charges' | 'discounts' | 'refunds' | 'adjustments' | 'grant_expiries';

export interface StatementPart {
  openingBalanceNanoUsd: string;
  lines: Array<{ line: StatementLineName; amountNanoUsd: string }>;
  closingBalanceNanoUsd: string;
}

export interface Statement {
  orgId: string;
  from: string;
  to: string;
  period: string | null;
  timezone: string;
  projects: Array<StatementPart & { projectId: string; projectName: string }>;
  totals: StatementPart;
}

export type PlanName = 'payg' | 'free' | 'enterprise';

export interface PlanSettings {
  timezone?: string;
  allowedModels?: string[];
  dailyQuota?: { unit: 'tokens' | 'calls'; limit: number };
  tiers?: Array<{ aboveUsd: string; percent: number }>;
  rates?: Array<{
    model?: string;
    provider?: string;
    percent?: number;
    inputPerMTokUsd?: string;
    outputPerMTokUsd?: string;
  }>;
  creditLimitUsd?: string;
}

export interface PlanChange {
  id: string;
  plan: PlanName;
  settings: PlanSettings;
  effectiveFrom: string;
  createdAt: string;
  changedBy: string | null;
  previous: { plan: PlanName; settings: PlanSettings };
}

export interface OrgPlans {
  orgId: string;
  current: {
    plan: PlanName;
    settings: PlanSettings;
    since: string | null;
    changeId: string | null;
    quota?: { unit: 'tokens' | 'calls'; limit: number; used: string; held: string; periodEnd: string };
  };
  scheduled: PlanChange[];
  history: PlanChange[];
  invoice?: { creditLimitUsd: string; owedNanoUsd: string };
}

export type BudgetScope = 'org' | 'team' | 'project' | 'key' | 'user';
export type BudgetPeriod = 'daily' | 'weekly' | 'monthly';

export interface Budget {
  id: string;
  orgId: string;
  scope: BudgetScope;
  scopeId: string;
  period: BudgetPeriod;
  timezone: string;
  amountUsd: string;
  hardLimitUsd: string | null;
  thresholds: number[];
  amountNanoUsd: string;
  hardLimitNanoUsd: string | null;
  createdAt: string;
  current: {
    periodStart: string;
    periodEnd: string;
    spentNanoUsd: string;
    heldNanoUsd: string;
    usedPercent: number;
    alertedPercent: number;
  };
}

export interface Team {
  id: string;
  name: string;
}

export interface WebhookEndpoint {
  id: string;
  orgId: string;
  budgetId: string | null;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  secretPrefix: string;
  createdAt: string;
}

/** Creation and rotation answers: the only ones holding the signing secret. */
export type WebhookWithSecret = WebhookEndpoint & { secret: string };

export interface WebhookDelivery {
  /** `<budget id>:<period start ms>:<percent>`, the same on every attempt. */
  id: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** An audit record, as far as the budget alerts need it. */
export interface AuditRecord {
  id: string;
  occurredAt: string;
  action: string;
  requestId: string | null;
  target: string | null;
  metadata: Record<string, unknown>;
}

export interface SsoSession {
  sessionToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  userId: string;
}

/** Totals of a usage report's group (`GET /admin/v1/usage`); money in USD strings and nano-USD. */
export interface UsageGroup {
  bucket: string | null;
  group: Record<string, string | null>;
  calls: number;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  listCostUsd: string;
  discountUsd: string;
  chargedUsd: string;
  listCostNanoUsd: string;
  chargedNanoUsd: string;
  /** With `savings=true` and a reference model. */
  referenceCostUsd?: string;
  referenceCostNanoUsd?: string;
  savingUsd?: string;
  savingNanoUsd?: string;
}

export interface UsageReport extends Page<UsageGroup> {
  reference?: { model: string; deploymentId: string; qualityTier: string } | null;
}

/** One usage row (`GET /admin/v1/usage/calls`): metadata only. */
export interface UsageCall {
  requestId: string;
  occurredAt: string;
  projectId: string;
  keyId: string;
  requestedModel: string;
  model: string;
  provider: string;
  api: string;
  task: string;
  outcome: string;
  inputTokens: number;
  outputTokens: number;
  chargedUsd: string;
  chargedNanoUsd: string;
}

export interface Price {
  usdPerMTok: string;
  nanoUsdPerMTok: string;
}

/** One level of a deployment's prices as `GET /admin/v1/catalog` answers it (every kind filled in). */
export interface PriceLevel {
  input: Price;
  cachedInput: Price;
  cacheWrite: Price;
  output: Price;
  reasoning: Price;
  imageInput: Price;
  perRequest: { usd: string; nanoUsd: string };
}

export interface DeploymentHealth {
  breaker: 'closed' | 'open' | 'half-open';
  cooling: boolean;
  availableAt: string | null;
  latencyMs: number | null;
  ttftMs: number | null;
  outputTokensPerSecond: number | null;
  errorRate: number;
  samples: number;
}

export interface CatalogDeployment {
  id: string;
  provider: string;
  upstreamModel: string;
  region: string | null;
  admin: boolean;
  pricing: (PriceLevel & { tiers: Array<PriceLevel & { aboveInputTokens: number }> }) | null;
  health: DeploymentHealth | null;
}

export type Capability = 'tools' | 'parallelTools' | 'vision' | 'jsonSchema' | 'reasoning' | 'embeddings' | 'streaming';

export interface CatalogModel {
  id: string;
  ownedBy: string;
  aliases: string[];
  contextWindow: number;
  maxOutputTokens: number;
  capabilities: Record<Capability, boolean>;
  qualityTier: 'frontier' | 'standard' | 'economy';
  auto: boolean;
  deployments: CatalogDeployment[];
}

export interface CatalogAnswer extends Page<CatalogModel> {
  revision: number;
  reference: { model: string; deploymentId: string; qualityTier: string } | null;
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
