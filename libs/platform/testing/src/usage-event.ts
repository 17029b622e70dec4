import type { UsageRecorded } from '@polymux/contracts';

/** A complete usage event of one successful chat call, for billing's tests: the named fields, the rest plain. */
export const usageEvent = ({
  requestId,
  accountId,
  cost,
  ...rest
}: Pick<UsageRecorded, 'requestId' | 'accountId' | 'cost'> & Partial<UsageRecorded>): UsageRecorded => ({
  requestId,
  accountId,
  reservationId: requestId,
  orgId: 'org-test',
  teamId: null,
  projectId: 'project-test',
  keyId: 'key-test',
  requestedModel: 'fast',
  model: 'gpt-test',
  deploymentId: 'sim/gpt-test',
  provider: 'openai',
  task: 'chat',
  api: 'chat.completions',
  inputTokens: 10,
  outputTokens: 20,
  cost,
  outcome: 'success',
  stream: false,
  attempts: [{ deploymentId: 'sim/gpt-test', outcome: 'success' }],
  durationMs: 12,
  occurredAt: new Date().toISOString(),
  ...rest,
});
