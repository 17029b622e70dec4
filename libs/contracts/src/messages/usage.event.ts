import { z } from 'zod';

import { CallTask } from '../canonical/task';
import { Money } from './money';

export const Attempt = z.object({
  deploymentId: z.string(),
  outcome: z.enum(['success', 'failed', 'cancelled', 'partial']),
  errorCode: z.string().optional(),
  upstreamStatus: z.number().int().optional(),
});

export const UsageOutcome = z.enum(['success', 'cancelled', 'partial']);
export type UsageOutcome = z.infer<typeof UsageOutcome>;

/** What a call used and cost. Metadata only: never prompt or completion content. */
/** The inbound APIs a model call arrives through. */
export const CallApi = z.enum(['chat.completions', 'responses', 'messages', 'embeddings']);
export type CallApi = z.infer<typeof CallApi>;

export const UsageRecorded = z.object({
  requestId: z.string(),
  accountId: z.string(),
  reservationId: z.string(),
  orgId: z.string(),
  teamId: z.string().nullable(),
  projectId: z.string(),
  keyId: z.string(),
  /** The user of a personal key, whose budgets the call counts against; null or absent for a service key. */
  userId: z.string().nullable().optional(),
  requestedModel: z.string(),
  model: z.string(),
  deploymentId: z.string(),
  provider: z.string(),
  task: CallTask,
  /** The inbound API the call came in through: its audit action is `<api>.create`. */
  api: CallApi.default('chat.completions'),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** Tokens by kind (canonical `Usage`): cached reads and cache writes are part of `inputTokens`, reasoning of `outputTokens`. */
  cachedInputTokens: z.number().int().nonnegative().optional(),
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  reasoningTokens: z.number().int().nonnegative().optional(),
  /** The call's list cost: what billing charges before any plan discount. */
  cost: Money,
  /**
   * The caller's labels (`x-polymux-tags`, `metadata`): usage rows only, never spans or metrics.
   * Validated at the edge (`CallTags`); loose here, so that no label can ever keep a charge from settling.
   */
  tags: z.record(z.string(), z.string()).optional(),
  /** `x-polymux-session-id`: groups a conversation's or an agent run's calls (validated at the edge: `CallId`). */
  sessionId: z.string().optional(),
  /** `x-polymux-parent-request-id`: the call that led to this one, such as an agent's previous step. */
  parentRequestId: z.string().optional(),
  /**
   * `success`: the whole answer; `cancelled`: the caller left mid-stream; `partial`: the provider or
   * executor failed after content was relayed. Each is charged for what was produced.
   */
  outcome: UsageOutcome,
  stream: z.boolean(),
  attempts: z.array(Attempt),
  durationMs: z.number().nonnegative(),
  occurredAt: z.string(),
});
export type UsageRecorded = z.infer<typeof UsageRecorded>;
