import { Classification } from './canonical/task';
import { defineEvent, defineRequest } from './contract';
import { AuditQuery, AuditRecorded, AuditRecords } from './messages/audit.event';
import {
  Balance,
  BalanceRequest,
  LedgerEntries,
  LedgerQuery,
  Released,
  ReleaseRequest,
  Reservation,
  ReserveRequest,
  TopUpRequest,
  TopUpResult,
} from './messages/billing.message';
import { InvokeFrame, InvokeRequest } from './messages/invoke.message';
import { KeyRevoked, ResolvedKey, ResolveKeyRequest } from './messages/key.message';
import { ListModelsRequest, ModelList } from './messages/models.message';
import { ClassifyRequest, Plan, PlanRequest } from './messages/plan.message';
import { UsageRecorded } from './messages/usage.event';

export const Streams = { usage: 'USAGE', audit: 'AUDIT', deadLetter: 'DEADLETTER' } as const;

/**
 * Where a durable event goes once it failed too often or did not validate: `deadletter.<subject>`,
 * kept in the `DEADLETTER` stream. Only durable events (metadata, never content) can land there.
 */
export const DeadLetters = {
  stream: Streams.deadLetter,
  subjects: 'deadletter.>',
  subjectFor: (subject: string): string => `deadletter.${subject}`,
} as const;

/** The one map of every NATS subject: `<domain>.<action>.v<N>`. */
export const Subjects = {
  classify: defineRequest('classifier.classify.v1', 'classifier', ClassifyRequest, Classification),
  plan: defineRequest('router.plan.v1', 'router', PlanRequest, Plan),
  listModels: defineRequest('router.models.list.v1', 'router', ListModelsRequest, ModelList),
  reserve: defineRequest('billing.reservation.create.v1', 'billing', ReserveRequest, Reservation),
  release: defineRequest('billing.reservation.release.v1', 'billing', ReleaseRequest, Released),
  topUp: defineRequest('billing.credits.top-up.v1', 'billing', TopUpRequest, TopUpResult),
  balance: defineRequest('billing.balance.get.v1', 'billing', BalanceRequest, Balance),
  ledger: defineRequest('billing.ledger.query.v1', 'billing', LedgerQuery, LedgerEntries),
  invoke: defineRequest('executor.invoke.v1', 'executor', InvokeRequest, InvokeFrame, {
    streaming: true,
  }),
  resolveKey: defineRequest('control.key.resolve.v1', 'control', ResolveKeyRequest, ResolvedKey),
  auditQuery: defineRequest('audit.records.query.v1', 'audit', AuditQuery, AuditRecords),
  keyRevoked: defineEvent('control.key.revoked.v1', KeyRevoked, 'broadcast'),
  usageRecorded: defineEvent('usage.recorded.v1', UsageRecorded, 'durable', Streams.usage),
  auditRecorded: defineEvent('audit.recorded.v1', AuditRecorded, 'durable', Streams.audit),
} as const;

export const allContracts = Object.values(Subjects);

export const contractFor = (subject: string) => allContracts.find((contract) => contract.subject === subject);
