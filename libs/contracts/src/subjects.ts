import { EmbeddingResponse } from './canonical/embeddings';
import { Classification } from './canonical/task';
import { defineEvent, defineRequest } from './contract';
import { AuditQuery, AuditRecorded, AuditRecords, AuditVerification, AuditVerify } from './messages/audit.event';
import {
  AdjustmentRequest,
  Balance,
  BalanceRequest,
  CreditResult,
  GrantRequest,
  GrantResult,
  LedgerEntries,
  LedgerQuery,
  RefundRequest,
  Released,
  ReleaseRequest,
  Reservation,
  ReserveRequest,
  TopUpRequest,
  TopUpResult,
} from './messages/billing.message';
import {
  BudgetAnswer,
  BudgetList,
  BudgetQuery,
  BudgetThresholdCrossed,
  CreateBudgetRequest,
  DeleteBudgetRequest,
  UpdateBudgetRequest,
} from './messages/budget.message';
import {
  CatalogChanged,
  CatalogLayer,
  CatalogLayerEntries,
  CatalogLayerProblems,
  CatalogLayerRequest,
  SealedCredentials,
} from './messages/catalog.message';
import { CatalogView, CatalogViewRequest } from './messages/catalog-view.message';
import { EmbedRequest } from './messages/embed.message';
import { DeploymentOutcomes } from './messages/health.event';
import { InvokeFrame, InvokeRequest } from './messages/invoke.message';
import {
  KeyChanged,
  KeyRevoked,
  KeyUses,
  PoliciesChanged,
  ResolvedKey,
  ResolveKeyRequest,
} from './messages/key.message';
import { ListModelsRequest, ModelList } from './messages/models.message';
import { ClassifyRequest, Plan, PlanRequest } from './messages/plan.message';
import { OrgPlanQuery, OrgPlans, SetPlanAnswer, SetPlanRequest } from './messages/org-plan.message';
import { Statement, StatementQuery } from './messages/statement.message';
import { SessionAnswer, SessionQuery } from './messages/session.message';
import { UsageRecorded } from './messages/usage.event';
import { UsageCalls, UsageCallsQuery, UsageReport, UsageReportQuery } from './messages/usage-report.message';
import {
  CreateWebhookRequest,
  UpdateWebhookRequest,
  WebhookAnswer,
  WebhookDeliveriesQuery,
  WebhookDeliveryList,
  WebhookIdRequest,
  WebhookList,
  WebhookQuery,
  WebhookWithSecret,
} from './messages/webhook.message';
import { ExplainRequest, RoutingExplanation } from './routing/explain.message';

export const Streams = { usage: 'USAGE', audit: 'AUDIT', budgets: 'BUDGETS', deadLetter: 'DEADLETTER' } as const;

/**
 * Where a consuming service parks a durable event that keeps failing: subject
 * `deadletter.<original subject>` in stream `DEADLETTER` (consumers of durable events publish there).
 */
export const DeadLetter = {
  stream: Streams.deadLetter,
  subjects: 'deadletter.>',
  subject: (subject: string): string => `deadletter.${subject}`,
} as const;

/**
 * The one map of every NATS subject: `<domain>.<action>.v<N>`, with who answers, calls, publishes
 * and consumes each; the per-service NATS permissions are derived from these declarations.
 */
export const Subjects = {
  classify: defineRequest('classifier.classify.v2', 'classifier', ClassifyRequest, Classification, {
    callers: ['router'],
  }),
  /** Classification and the reservation run in parallel behind it: one round trip from ingress. */
  plan: defineRequest('router.plan.v2', 'router', PlanRequest, Plan, { callers: ['ingress'] }),
  /** The plan's routing without a reservation: `POST /v1/routing/explain`. */
  explain: defineRequest('router.explain.v1', 'router', ExplainRequest, RoutingExplanation, { callers: ['ingress'] }),
  listModels: defineRequest('router.models.list.v1', 'router', ListModelsRequest, ModelList, { callers: ['ingress'] }),
  reserve: defineRequest('billing.reservation.create.v1', 'billing', ReserveRequest, Reservation, {
    callers: ['router'],
  }),
  release: defineRequest('billing.reservation.release.v1', 'billing', ReleaseRequest, Released, {
    callers: ['ingress', 'router'],
  }),
  topUp: defineRequest('billing.credits.top-up.v1', 'billing', TopUpRequest, TopUpResult, { callers: ['control'] }),
  grant: defineRequest('billing.credits.grant.v1', 'billing', GrantRequest, GrantResult, { callers: ['control'] }),
  refund: defineRequest('billing.credits.refund.v1', 'billing', RefundRequest, CreditResult, { callers: ['control'] }),
  adjust: defineRequest('billing.credits.adjust.v1', 'billing', AdjustmentRequest, CreditResult, {
    callers: ['control'],
  }),
  balance: defineRequest('billing.balance.get.v1', 'billing', BalanceRequest, Balance, { callers: ['control'] }),
  ledger: defineRequest('billing.ledger.query.v1', 'billing', LedgerQuery, LedgerEntries, { callers: ['control'] }),
  /** Budgets are billing's: control validates the admin API's requests and forwards them. */
  createBudget: defineRequest('billing.budget.create.v1', 'billing', CreateBudgetRequest, BudgetAnswer, {
    callers: ['control'],
  }),
  updateBudget: defineRequest('billing.budget.update.v1', 'billing', UpdateBudgetRequest, BudgetAnswer, {
    callers: ['control'],
  }),
  deleteBudget: defineRequest('billing.budget.delete.v1', 'billing', DeleteBudgetRequest, BudgetAnswer, {
    callers: ['control'],
  }),
  /** Budgets with their period state; the router reads a call's for `POST /v1/routing/explain`. */
  budgets: defineRequest('billing.budgets.query.v1', 'billing', BudgetQuery, BudgetList, {
    callers: ['control', 'router'],
  }),
  /** Plans are billing's too: control validates the admin API's requests and forwards them. */
  setPlan: defineRequest('billing.plan.set.v1', 'billing', SetPlanRequest, SetPlanAnswer, { callers: ['control'] }),
  plans: defineRequest('billing.plans.query.v1', 'billing', OrgPlanQuery, OrgPlans, { callers: ['control'] }),
  /** Usage rows are billing's (written with each call's charge): control's admin reports read them through these. */
  usageReport: defineRequest('billing.usage.query.v1', 'billing', UsageReportQuery, UsageReport, {
    callers: ['control'],
  }),
  usageCalls: defineRequest('billing.usage.calls.query.v1', 'billing', UsageCallsQuery, UsageCalls, {
    callers: ['control'],
  }),
  /** One session's call chain from its usage rows: `GET /admin/v1/sessions/:sessionId`. */
  usageSession: defineRequest('billing.usage.session.query.v1', 'billing', SessionQuery, SessionAnswer, {
    callers: ['control'],
  }),
  /** An org's statement for a period, summed from the ledger; control names the org's project accounts. */
  statement: defineRequest('billing.statement.query.v1', 'billing', StatementQuery, Statement, {
    callers: ['control'],
  }),
  /** Webhook endpoints for budget alerts are billing's, which signs and delivers them. */
  createWebhook: defineRequest('billing.webhook.create.v1', 'billing', CreateWebhookRequest, WebhookWithSecret, {
    callers: ['control'],
  }),
  updateWebhook: defineRequest('billing.webhook.update.v1', 'billing', UpdateWebhookRequest, WebhookAnswer, {
    callers: ['control'],
  }),
  deleteWebhook: defineRequest('billing.webhook.delete.v1', 'billing', WebhookIdRequest, WebhookAnswer, {
    callers: ['control'],
  }),
  rotateWebhookSecret: defineRequest(
    'billing.webhook.rotate-secret.v1',
    'billing',
    WebhookIdRequest,
    WebhookWithSecret,
    { callers: ['control'] },
  ),
  webhooks: defineRequest('billing.webhooks.query.v1', 'billing', WebhookQuery, WebhookList, {
    callers: ['control'],
  }),
  webhookDeliveries: defineRequest(
    'billing.webhook.deliveries.query.v1',
    'billing',
    WebhookDeliveriesQuery,
    WebhookDeliveryList,
    { callers: ['control'] },
  ),
  /** The call's attempts (ingress) and the router's optional second opinion on an unsure classification. */
  invoke: defineRequest('executor.invoke.v1', 'executor', InvokeRequest, InvokeFrame, {
    callers: ['ingress', 'router'],
    streaming: true,
    // A whole answer, or a stream's closing usage: nothing follows either.
    lastFrame: (frame) => frame.type === 'response' || frame.type === 'done',
  }),
  /** One embeddings call: request/reply on core NATS (the input is content, never durable). */
  embed: defineRequest('executor.embed.v1', 'executor', EmbedRequest, EmbeddingResponse, { callers: ['ingress'] }),
  resolveKey: defineRequest('control.key.resolve.v1', 'control', ResolveKeyRequest, ResolvedKey, {
    callers: ['ingress'],
  }),
  /** The admin layer of the catalog, which router and executor replicas merge over their catalog file. */
  catalogLayer: defineRequest('control.catalog.layer.get.v1', 'control', CatalogLayerRequest, CatalogLayer, {
    callers: ['router', 'executor'],
  }),
  /** Sealed provider credentials: executors only, the one service that opens them. */
  sealedCredentials: defineRequest(
    'control.credentials.sealed.get.v1',
    'control',
    CatalogLayerRequest,
    SealedCredentials,
    { callers: ['executor'] },
  ),
  /** Control asks a router whether a changed layer merges over the catalog file, before storing it. */
  checkCatalogLayer: defineRequest('router.catalog.check.v1', 'router', CatalogLayerEntries, CatalogLayerProblems, {
    callers: ['control'],
  }),
  /**
   * The effective catalog with each deployment's prices and health, and the routing saving's
   * reference model: `GET /admin/v1/catalog`, and `GET /admin/v1/usage?savings=true`.
   */
  catalogView: defineRequest('router.catalog.get.v1', 'router', CatalogViewRequest, CatalogView, {
    callers: ['control'],
  }),
  auditQuery: defineRequest('audit.records.query.v1', 'audit', AuditQuery, AuditRecords, { callers: ['control'] }),
  /** Recomputes the hash chains (all, or one organisation's) and reports the first broken link. */
  auditVerify: defineRequest('audit.chains.verify.v1', 'audit', AuditVerify, AuditVerification, {
    callers: ['control'],
  }),
  keyRevoked: defineEvent('control.key.revoked.v1', KeyRevoked, {
    delivery: 'broadcast',
    publishers: ['control'],
    consumers: ['ingress'],
  }),
  /** A key's scopes, own limits or secrets changed (a rotation): every ingress replica refetches it. */
  keyChanged: defineEvent('control.key.changed.v1', KeyChanged, {
    delivery: 'broadcast',
    publishers: ['control'],
    consumers: ['ingress'],
  }),
  /**
   * A routing policy or a rate limit changed: every ingress replica drops its cached keys, which carry
   * the merged policy and the limits of their scopes.
   */
  policiesChanged: defineEvent('control.policies.changed.v1', PoliciesChanged, {
    delivery: 'broadcast',
    publishers: ['control'],
    consumers: ['ingress'],
  }),
  catalogChanged: defineEvent('control.catalog.changed.v1', CatalogChanged, {
    delivery: 'broadcast',
    publishers: ['control'],
    consumers: ['router', 'executor'],
  }),
  /** Upstream calls' outcomes, batched by each executor, for the deployment health every router replica reads (Redis). */
  deploymentOutcomes: defineEvent('health.outcomes.recorded.v2', DeploymentOutcomes, {
    delivery: 'queue',
    publishers: ['executor'],
    consumers: ['router'],
  }),
  /**
   * The keys each ingress replica accepted calls of, batched (one message per
   * `POLYMUX_KEY_USE_FLUSH_MS` at most): one control replica stores each key's last use.
   */
  keyUses: defineEvent('key.uses.recorded.v1', KeyUses, {
    delivery: 'queue',
    publishers: ['ingress'],
    consumers: ['control'],
  }),
  usageRecorded: defineEvent('usage.recorded.v1', UsageRecorded, {
    delivery: 'durable',
    stream: Streams.usage,
    publishers: ['ingress'],
    // Billing charges the call; audit derives the call's audit record from it.
    consumers: ['billing', 'audit'],
  }),
  /** A budget's period spend reached a soft threshold: billing's webhook dispatcher POSTs it to the org's endpoints. */
  budgetThresholdCrossed: defineEvent('billing.budget.threshold-crossed.v1', BudgetThresholdCrossed, {
    delivery: 'durable',
    stream: Streams.budgets,
    publishers: ['billing'],
    consumers: ['billing'],
  }),
  auditRecorded: defineEvent('audit.recorded.v1', AuditRecorded, {
    delivery: 'durable',
    stream: Streams.audit,
    publishers: ['ingress', 'control', 'billing'],
    consumers: ['audit'],
  }),
} as const;

export const allContracts = Object.values(Subjects);

export const contractFor = (subject: string) => allContracts.find((contract) => contract.subject === subject);
