import type { UsageRecorded } from '@polymux/contracts';
import { AuditRecorded } from '@polymux/contracts';

import { callRecordOf } from './call-record';

const usage = (fields: Partial<UsageRecorded> = {}): UsageRecorded => ({
  requestId: 'req-1',
  accountId: 'account-1',
  reservationId: 'req-1',
  orgId: 'org-1',
  teamId: 'team-1',
  projectId: 'project-1',
  keyId: 'key-1',
  requestedModel: 'auto',
  model: 'gpt-4o',
  deploymentId: 'sim/gpt-4o',
  provider: 'openai',
  task: 'code',
  api: 'chat.completions',
  inputTokens: 10,
  outputTokens: 5,
  cost: '20000',
  outcome: 'success',
  stream: true,
  attempts: [{ deploymentId: 'sim/gpt-4o', outcome: 'success' }],
  durationMs: 42,
  occurredAt: '2026-01-02T03:04:05.678Z',
  ...fields,
});

describe('the audit record of a charged call', () => {
  it.each([
    ['messages', 'messages.create'],
    ['responses', 'responses.create'],
    ['embeddings', 'embeddings.create'],
  ] as const)('names the API the call came in through (%s)', (api, action) => {
    expect(callRecordOf(usage({ api })).action).toBe(action);
  });

  it('holds what ingress published for the call: the key, the model asked for, and the usage metadata', () => {
    const record = callRecordOf(usage());
    expect(record).toEqual({
      id: 'req-1:call',
      category: 'call',
      action: 'chat.completions.create',
      outcome: 'success',
      actorKeyId: 'key-1',
      orgId: 'org-1',
      projectId: 'project-1',
      requestId: 'req-1',
      target: 'auto',
      metadata: {
        task: 'code',
        stream: true,
        durationMs: 42,
        model: 'gpt-4o',
        deployment: 'sim/gpt-4o',
        inputTokens: 10,
        outputTokens: 5,
        costNanoUsd: '20000',
        outcome: 'success',
      },
      occurredAt: '2026-01-02T03:04:05.678Z',
    });
    expect(AuditRecorded.safeParse(record).success).toBe(true);
  });

  it('says partial for a call cut after content, and success with its outcome for a cancelled stream', () => {
    expect(callRecordOf(usage({ outcome: 'partial' }))).toMatchObject({
      outcome: 'partial',
      metadata: { outcome: 'partial' },
    });
    expect(callRecordOf(usage({ outcome: 'cancelled' }))).toMatchObject({
      outcome: 'success',
      metadata: { outcome: 'cancelled' },
    });
  });

  it('names the call’s session and parent request when it has them, never its tags', () => {
    const record = callRecordOf(usage({ sessionId: 'run-7', parentRequestId: 'req-0', tags: { team: 'search' } }));
    expect(record.metadata).toMatchObject({ sessionId: 'run-7', parentRequestId: 'req-0' });
    expect(Object.values(record.metadata)).not.toContain('search');
    expect(callRecordOf(usage({ sessionId: 'run-7' })).metadata).not.toHaveProperty('parentRequestId');
    expect(callRecordOf(usage()).metadata).not.toHaveProperty('sessionId');
  });

  it('carries no more than the metadata the usage event has', () => {
    const record = callRecordOf(usage());
    const values = new Set(Object.values(usage()).map(String));
    for (const value of Object.values(record.metadata)) expect(values).toContain(String(value));
  });
});
