import type { PolymuxConfig } from '@polymux/config';
import type { InvokeFrame } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, intakeOf } from '@polymux/contracts';
import type { MessagingClient } from '@polymux/messaging';

import { CallEvents } from './call-events';
import { CallService } from './call.service';
import { call, chatRequest, contentChunk, deferred, deployment, key, plan } from './testing/call-fixtures';

const config = {
  upstream: { connectTimeoutMs: 1_000, firstByteTimeoutMs: 1_000, totalTimeoutMs: 10_000 },
  billing: { reservationTtlSeconds: 60 },
  // No retry on the same deployment here: fallback alone (retries have their own tests).
  retry: { perDeployment: 0, budget: 4, backoffMs: 100, backoffMaxMs: 1_000, deadlineMs: 60_000 },
} as PolymuxConfig;

interface Emitted {
  subject: string;
  payload: Record<string, unknown>;
  messageId: string;
}

const setup = (emit: (subject: string) => Promise<void> = () => Promise.resolve()) => {
  const emitted: Emitted[] = [];
  const messaging = {
    request: jest.fn(),
    stream: jest.fn(),
    emit: jest.fn(
      async (contract: { subject: string }, payload: Record<string, unknown>, options: { messageId: string }) => {
        await emit(contract.subject);
        emitted.push({ subject: contract.subject, payload, messageId: options.messageId });
      },
    ),
  };
  const client = messaging as unknown as MessagingClient;
  const events = new CallEvents(client);
  return { messaging, emitted, events, service: new CallService(config, client, events) };
};

async function* frames(items: InvokeFrame[], fail?: Error): AsyncGenerator<InvokeFrame> {
  for (const item of items) yield item;
  if (fail) throw fail;
}

describe('CallService', () => {
  afterEach(() => jest.useRealTimers());

  it('plans and reserves through the router with the request’s intake (not its body) and the key’s scope', async () => {
    const { messaging, service } = setup();
    messaging.request.mockResolvedValue(plan());
    const current = call({ plan: undefined });
    await service.plan(current);
    expect(messaging.request).toHaveBeenCalledWith(
      Subjects.plan,
      {
        intake: intakeOf(current.request),
        allowedModels: null,
        // The budgets the reservation counts against are found by these.
        scopes: { orgId: key.orgId, teamId: key.teamId, projectId: key.projectId, keyId: key.id },
        accountId: key.accountId,
        reservationTtlSeconds: 60,
      },
      { requestId: 'req-1' },
    );
    expect(current.plan).toEqual(plan());
  });

  it('falls back past a retryable failure, records it, and stops at a non-retryable one', async () => {
    const { messaging, service } = setup();
    const first = deployment('first');
    const second = deployment('second');
    messaging.stream
      .mockReturnValueOnce(frames([], new PolymuxException(ErrorCode.UpstreamError, 'boom', { upstreamStatus: 500 })))
      .mockReturnValueOnce(frames([contentChunk('hi')]));
    const current = call({ plan: plan([first, second]) });
    const openedStream = await service.open(current, new AbortController().signal);
    expect(openedStream.deployment.id).toBe('second');
    expect(current.attempts).toEqual([
      { deploymentId: 'first', outcome: 'failed', errorCode: ErrorCode.UpstreamError, upstreamStatus: 500 },
    ]);
    messaging.stream.mockReturnValueOnce(frames([], new PolymuxException(ErrorCode.InvalidRequest, 'bad')));
    await expect(
      service.open(call({ plan: plan([first, second]) }), new AbortController().signal),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidRequest,
    });
  });

  it('settles by publishing the usage alone and resolves only once it is acknowledged', async () => {
    const usageAck = deferred();
    const { emitted, service } = setup((subject) =>
      subject === Subjects.usageRecorded.subject ? usageAck.promise : Promise.resolve(),
    );
    let settled = false;
    const settling = service
      .settle(call(), deployment(), { inputTokens: 10, outputTokens: 5 }, 'partial')
      .then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(emitted).toEqual([]);
    usageAck.resolve();
    await settling;
    // The call's audit record is derived by audit from the usage event: one durable publish per call.
    expect(emitted.map((event) => event.subject)).toEqual([Subjects.usageRecorded.subject]);
    // $1 and $2 per MTok: 10 × 1,000 + 5 × 2,000 nano-USD.
    expect(emitted[0]).toMatchObject({
      messageId: 'req-1',
      payload: {
        cost: '20000',
        outcome: 'partial',
        inputTokens: 10,
        outputTokens: 5,
        reservationId: 'res-1',
        keyId: key.id,
        requestedModel: chatRequest().model,
        task: plan().task,
      },
    });
    expect(emitted[0].payload.attempts).toEqual([{ deploymentId: 'sim/gpt-4o', outcome: 'partial' }]);
  });

  it('retries a refused publish under the same message id, so JetStream deduplicates it', async () => {
    let refusals = 2;
    const { emitted, messaging, service } = setup(() =>
      refusals-- > 0 ? Promise.reject(new Error('maximum messages exceeded')) : Promise.resolve(),
    );
    await service.settle(call(), deployment(), { inputTokens: 1, outputTokens: 1 }, 'success');
    const usageCalls = messaging.emit.mock.calls.filter(
      ([contract]) => contract.subject === Subjects.usageRecorded.subject,
    );
    expect(usageCalls).toHaveLength(3);
    expect(new Set(usageCalls.map(([, , options]) => options.messageId))).toEqual(new Set(['req-1']));
    expect(emitted).toHaveLength(1);
  });

  it('rejects with service_unavailable and audits nothing as success when the usage is never acknowledged', async () => {
    jest.useFakeTimers();
    const { emitted, messaging, service } = setup(() => Promise.reject(new Error('JetStream unavailable')));
    const settling = service.settle(
      call({ request: chatRequest({ stream: false }) }),
      deployment(),
      { inputTokens: 1, outputTokens: 1 },
      'success',
    );
    const outcome = expect(settling).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
    await jest.advanceTimersByTimeAsync(6_000);
    await outcome;
    expect(emitted).toEqual([]);
    expect(messaging.emit.mock.calls.every(([contract]) => contract.subject === Subjects.usageRecorded.subject)).toBe(
      true,
    );
  });

  it('releases the hold of a failed call and audits the failure', async () => {
    const { emitted, messaging, service } = setup();
    messaging.request.mockResolvedValue({ released: true });
    await service.failed(call(), new PolymuxException(ErrorCode.Timeout, 'late'));
    expect(messaging.request).toHaveBeenCalledWith(
      Subjects.release,
      { accountId: key.accountId, reservationId: 'res-1', orgId: key.orgId },
      { requestId: 'req-1' },
    );
    expect(emitted).toEqual([
      expect.objectContaining({
        subject: Subjects.auditRecorded.subject,
        messageId: 'req-1:call',
        payload: expect.objectContaining({
          id: 'req-1:call',
          category: 'call',
          action: 'chat.completions.create',
          outcome: 'failure',
          metadata: expect.objectContaining({ errorCode: ErrorCode.Timeout }),
        }),
      }),
    ]);
    expect(emitted[0]?.payload.metadata).not.toHaveProperty('sessionId');
  });

  it('names a failed call’s session and parent request in its audit record, never its tags', async () => {
    const { emitted, messaging, service } = setup();
    messaging.request.mockResolvedValue({ released: true });
    const labels = { tags: { team: 'search' }, sessionId: 'run-7', parentRequestId: 'req-0' };
    await service.failed(call({ labels }), new PolymuxException(ErrorCode.Timeout, 'late'));
    const metadata = emitted[0]?.payload.metadata as Record<string, unknown>;
    expect(metadata).toMatchObject({ sessionId: 'run-7', parentRequestId: 'req-0' });
    expect(Object.values(metadata)).not.toContain('search');
  });
});

describe('CallEvents shutdown', () => {
  it('waits for publishes still in flight before the bus may close', async () => {
    const ack = deferred();
    const { events } = setup(() => ack.promise);
    void events.usage({ requestId: 'req-1' } as never, { deadlineMs: 1_000 });
    let drained = false;
    const draining = events.beforeApplicationShutdown().then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    ack.resolve();
    await draining;
    expect(drained).toBe(true);
  });
});
