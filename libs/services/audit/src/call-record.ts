import type { AuditRecorded, UsageRecorded } from '@polymux/contracts';
import { CallAudit } from '@polymux/contracts';

/**
 * The audit record of a call that was charged, derived from its usage event (so no audit record
 * can say `success` for a call whose charge was not recorded). Metadata only, as the event.
 */
export const callRecordOf = (usage: UsageRecorded): AuditRecorded => ({
  id: CallAudit.id(usage.requestId),
  category: 'call',
  action: CallAudit.action(usage.api),
  // A cancelled stream delivered what the caller stayed for: a success, its outcome in the metadata.
  outcome: usage.outcome === 'partial' ? 'partial' : 'success',
  actorKeyId: usage.keyId,
  orgId: usage.orgId,
  projectId: usage.projectId,
  requestId: usage.requestId,
  target: usage.requestedModel,
  metadata: {
    task: usage.task,
    stream: usage.stream,
    durationMs: usage.durationMs,
    model: usage.model,
    deployment: usage.deploymentId,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costNanoUsd: usage.cost,
    outcome: usage.outcome,
    // Links the record to its session's other calls (`GET /admin/v1/sessions/:sessionId`): ids only.
    ...(usage.sessionId === undefined ? {} : { sessionId: usage.sessionId }),
    ...(usage.parentRequestId === undefined ? {} : { parentRequestId: usage.parentRequestId }),
  },
  occurredAt: usage.occurredAt,
});
