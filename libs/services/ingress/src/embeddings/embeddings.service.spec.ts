import type { PolymuxConfig } from '@polymux/config';
import type { EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, embeddingIntakeOf } from '@polymux/contracts';
import type { MessagingClient } from '@polymux/messaging';

import { CallEvents } from '../call/call-events';
import { CallService } from '../call/call.service';
import { deployment, key, plan } from '../call/testing/call-fixtures';
import type { EmbeddingsCall } from './embeddings.service';
import { EmbeddingsService } from './embeddings.service';

const config = {
  upstream: { connectTimeoutMs: 1_000, firstByteTimeoutMs: 1_000, totalTimeoutMs: 10_000 },
  billing: { reservationTtlSeconds: 60 },
  // No retry on the same deployment here: fallback alone (retries have their own tests).
  retry: { perDeployment: 0, budget: 4, backoffMs: 100, backoffMaxMs: 1_000, deadlineMs: 60_000 },
} as PolymuxConfig;

const setup = () => {
  const emitted: Array<{ subject: string; payload: Record<string, unknown> }> = [];
  const messaging = {
    request: jest.fn(),
    emit: jest.fn((contract: { subject: string }, payload: Record<string, unknown>) => {
      emitted.push({ subject: contract.subject, payload });
      return Promise.resolve();
    }),
  };
  const client = messaging as unknown as MessagingClient;
  const calls = new CallService(config, client, new CallEvents(client));
  return { messaging, emitted, calls, embeddings: new EmbeddingsService(calls, client) };
};

const embeddingsCall = (fields: Partial<EmbeddingsCall> = {}): EmbeddingsCall => ({
  requestId: 'req-1',
  api: 'embeddings',
  key,
  request: { model: 'text-embedding-3-small', input: ['alpha', 'beta'] },
  startedAt: Date.now(),
  plan: { ...plan([deployment('first'), deployment('second')]), task: 'embeddings' },
  attempts: [],
  route: [],
  ...fields,
});

const answer = (vectors: number, inputTokens?: number): EmbeddingResponse => ({
  model: 'text-embedding-3-small',
  embeddings: Array.from({ length: vectors }, () => 'AAAAAA=='),
  inputTokens: inputTokens ?? null,
});

describe('EmbeddingsService on the shared call pipeline', () => {
  it('plans with the embeddings intake, not a chat one', async () => {
    const { messaging, calls } = setup();
    messaging.request.mockResolvedValue(plan());
    const current = embeddingsCall({ plan: undefined });
    await calls.plan(current);
    expect(messaging.request).toHaveBeenCalledWith(
      Subjects.plan,
      expect.objectContaining({ intake: embeddingIntakeOf(current.request) }),
      { requestId: 'req-1' },
    );
  });

  it('falls back past a retryable failure and past a vector count unlike the inputs', async () => {
    const { messaging, embeddings } = setup();
    messaging.request
      .mockRejectedValueOnce(new PolymuxException(ErrorCode.UpstreamRateLimited, 'slow down', { upstreamStatus: 429 }))
      .mockResolvedValueOnce(answer(2, 7));
    const current = embeddingsCall();
    const embedded = await embeddings.embed(current);
    expect(embedded).toMatchObject({ deployment: { id: 'second' }, inputTokens: 7 });
    expect(messaging.request).toHaveBeenLastCalledWith(
      Subjects.embed,
      { deploymentId: 'second', request: current.request },
      { requestId: 'req-1', timeoutMs: 12_000 },
    );
    expect(current.attempts).toEqual([
      { deploymentId: 'first', outcome: 'failed', errorCode: ErrorCode.UpstreamRateLimited, upstreamStatus: 429 },
    ]);

    messaging.request.mockResolvedValueOnce(answer(1)).mockResolvedValueOnce(answer(1));
    const short = embeddingsCall();
    await expect(embeddings.embed(short)).rejects.toMatchObject({ code: ErrorCode.UpstreamError });
    expect(short.attempts.map((attempt) => attempt.deploymentId)).toEqual(['first', 'second']);
  });

  it('stops at a non-retryable failure', async () => {
    const { messaging, embeddings } = setup();
    messaging.request.mockRejectedValueOnce(new PolymuxException(ErrorCode.InvalidRequest, 'bad'));
    await expect(embeddings.embed(embeddingsCall())).rejects.toMatchObject({ code: ErrorCode.InvalidRequest });
    expect(messaging.request).toHaveBeenCalledTimes(1);
  });

  it('counts the tokens itself when the provider reports none, and charges input only, never streamed', async () => {
    const { messaging, emitted, embeddings } = setup();
    messaging.request.mockResolvedValueOnce(answer(2));
    const current = embeddingsCall();
    const embedded = await embeddings.embed(current);
    expect(embedded.inputTokens).toBeGreaterThan(0);
    await embeddings.settle(current, embedded);
    expect(emitted).toEqual([
      {
        subject: Subjects.usageRecorded.subject,
        payload: expect.objectContaining({
          api: 'embeddings',
          stream: false,
          task: 'embeddings',
          inputTokens: embedded.inputTokens,
          outputTokens: 0,
          // $1 per MTok input.
          cost: String(embedded.inputTokens * 1_000),
          attempts: [{ deploymentId: 'first', outcome: 'success' }],
        }),
      },
    ]);
  });

  it('audits a call refused before it was planned as an embeddings failure', async () => {
    const { emitted, calls } = setup();
    await calls.failed(embeddingsCall({ plan: undefined }), new PolymuxException(ErrorCode.NoCapableModel, 'no'));
    expect(emitted).toEqual([
      {
        subject: Subjects.auditRecorded.subject,
        payload: expect.objectContaining({
          action: 'embeddings.create',
          outcome: 'failure',
          target: 'text-embedding-3-small',
          metadata: expect.objectContaining({ task: 'embeddings', stream: false, errorCode: ErrorCode.NoCapableModel }),
        }),
      },
    ]);
  });
});
