import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type {
  ApiKeyRecord,
  Deployment,
  EmbeddingRequest,
  EmbeddingResponse,
  Plan,
  UsageRecorded,
} from '@polymux/contracts';
import {
  CallAudit,
  ErrorCode,
  PolymuxException,
  RETRYABLE_CODES,
  Subjects,
  callCost,
  countEmbeddingTokens,
  embeddingIntakeOf,
  isPolymuxException,
} from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import type { PublishBudget } from '../call/call-events';
import { CallEvents } from '../call/call-events';

type Attempt = UsageRecorded['attempts'][number];

/** One embeddings call's state from plan to settlement. */
export interface EmbeddingsCall {
  requestId: string;
  key: ApiKeyRecord;
  request: EmbeddingRequest;
  startedAt: number;
  plan?: Plan;
  attempts: Attempt[];
}

/** What the successful attempt answered and what it is charged for. */
export interface Embedded {
  deployment: Deployment;
  response: EmbeddingResponse;
  inputTokens: number;
}

const MARGIN_MS = 2_000;
/** The caller waits for its answer: JetStream gets a few seconds to acknowledge the charge, then 503. */
const ANSWER_PUBLISH: PublishBudget = { deadlineMs: 5_000 };

/**
 * The embeddings pipeline, the same steps as a chat call's (`CallService`): plan and reserve
 * (router, which plans an embeddings intake without classifying it), call candidates in order until
 * one answers (`executor.embed.v1`), then charge through the durable usage event, output 0.
 */
@Injectable()
export class EmbeddingsService {
  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly messaging: MessagingClient,
    private readonly events: CallEvents,
  ) {}

  async plan(call: EmbeddingsCall): Promise<Plan> {
    call.plan = await this.messaging.request(
      Subjects.plan,
      {
        intake: embeddingIntakeOf(call.request),
        allowedModels: call.key.allowedModels,
        accountId: call.key.accountId,
        reservationTtlSeconds: this.config.billing.reservationTtlSeconds,
      },
      { requestId: call.requestId },
    );
    return call.plan;
  }

  /** Tries the candidates in order; a 429, 5xx, timeout or unavailable executor moves on to the next. */
  async embed(call: EmbeddingsCall): Promise<Embedded> {
    const candidates = call.plan?.candidates ?? [];
    const timeoutMs = this.config.upstream.totalTimeoutMs + MARGIN_MS;
    for (const [index, deployment] of candidates.entries()) {
      try {
        // The inputs cross NATS once, to the executor, on core request/reply: never on JetStream.
        const response = await this.messaging.request(
          Subjects.embed,
          { deploymentId: deployment.id, request: call.request },
          { requestId: call.requestId, timeoutMs },
        );
        if (response.embeddings.length !== call.request.input.length) {
          throw new PolymuxException(ErrorCode.UpstreamError, 'the provider answered a vector count unlike the inputs');
        }
        const inputTokens = response.inputTokens ?? countEmbeddingTokens(call.request.input);
        return { deployment, response, inputTokens };
      } catch (error) {
        call.attempts.push(failedAttempt(deployment, error));
        const retryable = isPolymuxException(error) && RETRYABLE_CODES.has(error.code);
        if (!retryable || index === candidates.length - 1) throw error;
      }
    }
    throw new PolymuxException(ErrorCode.NoCapableModel, 'no candidate deployment');
  }

  /** Charges the input tokens and resolves once JetStream acknowledged the usage event (see `CallService.settle`). */
  async settle(call: EmbeddingsCall, { deployment, inputTokens }: Embedded): Promise<void> {
    const { plan, key } = call;
    if (!plan) throw new PolymuxException(ErrorCode.Internal, 'settle before plan');
    call.attempts.push({ deploymentId: deployment.id, outcome: 'success' });
    const usage = { inputTokens, outputTokens: 0 };
    await this.events.usage(
      {
        requestId: call.requestId,
        accountId: key.accountId,
        reservationId: plan.reservation.reservationId,
        orgId: key.orgId,
        teamId: key.teamId,
        projectId: key.projectId,
        keyId: key.id,
        requestedModel: call.request.model,
        model: deployment.model,
        deploymentId: deployment.id,
        provider: deployment.provider,
        task: plan.task,
        ...usage,
        cost: callCost(deployment.pricing, usage).toString(),
        outcome: 'success',
        api: 'embeddings',
        stream: false,
        attempts: call.attempts,
        durationMs: Date.now() - call.startedAt,
        occurredAt: new Date().toISOString(),
      },
      ANSWER_PUBLISH,
    );
  }

  /** Nothing is charged for a failed call: the hold is released and the failure audited. */
  async failed(call: EmbeddingsCall, error: unknown): Promise<void> {
    const reservation = call.plan?.reservation;
    if (reservation) {
      void this.messaging
        .request(
          Subjects.release,
          { accountId: call.key.accountId, reservationId: reservation.reservationId },
          { requestId: call.requestId },
        )
        .catch(() => undefined); // the reservation expires on its own if billing cannot be reached
    }
    await this.events
      .audit(
        {
          id: CallAudit.id(call.requestId),
          category: 'call',
          action: CallAudit.action('embeddings'),
          outcome: 'failure',
          actorKeyId: call.key.id,
          orgId: call.key.orgId,
          projectId: call.key.projectId,
          requestId: call.requestId,
          target: call.request.model,
          metadata: {
            task: 'embeddings',
            stream: false,
            durationMs: Date.now() - call.startedAt,
            errorCode: isPolymuxException(error) ? error.code : ErrorCode.Internal,
            attempts: call.attempts.length,
          },
          occurredAt: new Date().toISOString(),
        },
        ANSWER_PUBLISH,
      )
      .catch(() => undefined); // logged and counted by CallEvents; the error answer goes out regardless
  }
}

const failedAttempt = (deployment: Deployment, error: unknown): Attempt => {
  const payload = isPolymuxException(error) ? error.toPayload() : undefined;
  return {
    deploymentId: deployment.id,
    outcome: 'failed',
    errorCode: payload?.code ?? ErrorCode.Internal,
    ...(payload?.upstreamStatus ? { upstreamStatus: payload.upstreamStatus } : {}),
  };
};
