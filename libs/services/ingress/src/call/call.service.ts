import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type {
  ApiKeyRecord,
  ChatRequest,
  Deployment,
  InvokeFrame,
  Plan,
  Reservation,
  Usage,
  UsageRecorded,
} from '@polymux/contracts';
import {
  ErrorCode,
  PolymuxException,
  RETRYABLE_CODES,
  Subjects,
  callCost,
  isPolymuxException,
  maxCallCost,
} from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { CallEvents } from './call-events';

type Attempt = UsageRecorded['attempts'][number];

/** One call's state from plan to settlement. */
export interface Call {
  requestId: string;
  key: ApiKeyRecord;
  request: ChatRequest;
  startedAt: number;
  plan?: Plan;
  reservation?: Reservation;
  attempts: Attempt[];
}

export interface OpenedStream {
  deployment: Deployment;
  first: InvokeFrame;
  rest: AsyncIterator<InvokeFrame>;
}

const MARGIN_MS = 2_000;

/**
 * The call pipeline: plan (router, which asks the classifier), reserve the maximum cost (billing),
 * invoke candidates in order until one answers (executor), then settle through a durable usage event.
 */
@Injectable()
export class CallService {
  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly messaging: MessagingClient,
    private readonly events: CallEvents,
  ) {}

  async plan(call: Call): Promise<Plan> {
    const { requestId, request, key } = call;
    call.plan = await this.messaging.request(
      Subjects.plan,
      { request, allowedModels: key.allowedModels },
      { requestId },
    );
    return call.plan;
  }

  /** Holds the call's maximum possible cost, so no balance is ever overspent. */
  async reserve(call: Call): Promise<void> {
    const { requestId, request, key } = call;
    if (!call.plan) throw new PolymuxException(ErrorCode.Internal, 'reserve before plan');
    const amount = maxCallCost(call.plan.candidates, request, call.plan.signals.inputTokensUpperBound);
    call.reservation = await this.messaging.request(
      Subjects.reserve,
      { accountId: key.accountId, amount: amount.toString(), ttlSeconds: this.config.billing.reservationTtlSeconds },
      { requestId },
    );
  }

  /** Tries candidates in order until one returns its first frame; later failures are the caller's to report. */
  async open(call: Call, signal: AbortSignal): Promise<OpenedStream> {
    const candidates = call.plan?.candidates ?? [];
    const { upstream } = this.config;
    const firstTimeoutMs = call.request.stream
      ? upstream.connectTimeoutMs + upstream.firstByteTimeoutMs + MARGIN_MS
      : upstream.totalTimeoutMs + MARGIN_MS;
    for (const [index, deployment] of candidates.entries()) {
      const frames = this.messaging.stream(
        Subjects.invoke,
        { deploymentId: deployment.id, request: call.request },
        { requestId: call.requestId, firstTimeoutMs, idleTimeoutMs: upstream.firstByteTimeoutMs + MARGIN_MS, signal },
      );
      try {
        const first = await frames.next();
        if (first.done) throw new PolymuxException(ErrorCode.UpstreamError, 'the provider answered nothing');
        return { deployment, first: first.value, rest: frames };
      } catch (error) {
        call.attempts.push(this.failedAttempt(deployment, error));
        const retryable = isPolymuxException(error) && RETRYABLE_CODES.has(error.code);
        if (!retryable || index === candidates.length - 1 || signal.aborted) throw error;
      }
    }
    throw new PolymuxException(ErrorCode.NoCapableModel, 'no candidate deployment');
  }

  /** Charges what the successful attempt used: a durable usage event that billing settles once. */
  succeeded(call: Call, deployment: Deployment, usage: Usage, outcome: 'success' | 'cancelled'): void {
    const { plan, reservation, key } = call;
    if (!plan || !reservation) return;
    call.attempts.push({ deploymentId: deployment.id, outcome: outcome === 'success' ? 'success' : 'cancelled' });
    const cost = callCost(deployment.pricing, usage);
    const occurredAt = new Date().toISOString();
    void this.events.usage({
      requestId: call.requestId,
      accountId: key.accountId,
      reservationId: reservation.reservationId,
      orgId: key.orgId,
      teamId: key.teamId,
      projectId: key.projectId,
      keyId: key.id,
      requestedModel: call.request.model,
      model: deployment.model,
      deploymentId: deployment.id,
      provider: deployment.provider,
      task: plan.task,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cost: cost.toString(),
      outcome,
      stream: call.request.stream,
      attempts: call.attempts,
      durationMs: Date.now() - call.startedAt,
      occurredAt,
    });
    this.audit(call, 'success', {
      model: deployment.model,
      deployment: deployment.id,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costNanoUsd: cost.toString(),
      outcome,
    });
  }

  /** Nothing is charged for a failed call: the hold is released and the failure audited. */
  failed(call: Call, error: unknown): void {
    if (call.reservation) {
      void this.messaging
        .request(
          Subjects.release,
          { accountId: call.key.accountId, reservationId: call.reservation.reservationId },
          { requestId: call.requestId },
        )
        .catch(() => undefined); // the reservation expires on its own if billing cannot be reached
    }
    this.audit(call, 'failure', {
      errorCode: isPolymuxException(error) ? error.code : ErrorCode.Internal,
      attempts: call.attempts.length,
    });
  }

  private audit(call: Call, outcome: 'success' | 'failure', metadata: Record<string, string | number>): void {
    void this.events.audit({
      id: `${call.requestId}:call`,
      category: 'call',
      action: 'chat.completions.create',
      outcome,
      actorKeyId: call.key.id,
      orgId: call.key.orgId,
      projectId: call.key.projectId,
      requestId: call.requestId,
      target: call.request.model,
      metadata: {
        task: call.plan?.task ?? null,
        stream: call.request.stream,
        durationMs: Date.now() - call.startedAt,
        ...metadata,
      },
      occurredAt: new Date().toISOString(),
    });
  }

  private failedAttempt(deployment: Deployment, error: unknown): Attempt {
    const payload = isPolymuxException(error) ? error.toPayload() : undefined;
    return {
      deploymentId: deployment.id,
      outcome: 'failed',
      errorCode: payload?.code ?? ErrorCode.Internal,
      ...(payload?.upstreamStatus ? { upstreamStatus: payload.upstreamStatus } : {}),
    };
  }
}
