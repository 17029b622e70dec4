import type { UsageRecorded } from '@polymux/contracts';
import type { Insertable } from 'kysely';

import type { UsageTable } from '../schema/tables/usage.table';

/** What a call costs: its list cost, the plan's discount, and what is charged (list − discount), nano-USD. */
export interface CallPrice {
  listCost: bigint;
  discount: bigint;
  charged: bigint;
}

/** A charged call's usage row, from its usage event and its price. Metadata only: the event carries no content. */
export const usageRowOf = (usage: UsageRecorded, price: CallPrice): Insertable<UsageTable> => ({
  request_id: usage.requestId,
  org_id: usage.orgId,
  team_id: usage.teamId,
  project_id: usage.projectId,
  key_id: usage.keyId,
  user_id: usage.userId ?? null,
  account_id: usage.accountId,
  requested_model: usage.requestedModel,
  model: usage.model,
  provider: usage.provider,
  deployment_id: usage.deploymentId,
  api: usage.api,
  task: usage.task,
  input_tokens: String(usage.inputTokens),
  cached_input_tokens: String(usage.cachedInputTokens ?? 0),
  cache_write_tokens: String(usage.cacheWriteTokens ?? 0),
  output_tokens: String(usage.outputTokens),
  reasoning_tokens: String(usage.reasoningTokens ?? 0),
  list_cost: price.listCost.toString(),
  discount: price.discount.toString(),
  charged: price.charged.toString(),
  tags: JSON.stringify(usage.tags ?? {}),
  session_id: usage.sessionId ?? null,
  parent_request_id: usage.parentRequestId ?? null,
  outcome: usage.outcome,
  stream: usage.stream,
  duration_ms: Math.round(usage.durationMs),
  // An unreadable time (never sent by ingress) must not keep the charge from settling: then now().
  ...(Number.isNaN(Date.parse(usage.occurredAt)) ? {} : { occurred_at: usage.occurredAt }),
});
