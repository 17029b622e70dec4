import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type {
  ApiKeyRecord,
  CallApi,
  ChatRequest,
  Deployment,
  EmbeddingRequest,
  Intake,
  InvokeFrame,
  Plan,
  Usage,
  UsageOutcome,
  UsageRecorded,
} from '@polymux/contracts';
import {
  CallAudit,
  ErrorCode,
  PolymuxException,
  Subjects,
  callCost,
  callScopesOf,
  embeddingIntakeOf,
  intakeOf,
  isPolymuxException,
} from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import type { RateLimitTicket } from '../rate-limits/rate-limiter';
import type { PublishBudget } from './call-events';
import type { CallLabels } from './call-labels';
import { CallEvents } from './call-events';
import { failureLabel, fallsBack, retryDelayMs, sleep } from './retry-policy';

type Attempt = UsageRecorded['attempts'][number];

/** What a call asks for: a chat request, or the inputs of an embeddings call. */
export type CallRequest = ChatRequest | EmbeddingRequest;

/** One call's state from plan to settlement, a chat call unless said otherwise. */
export interface Call<R extends CallRequest = ChatRequest> {
  requestId: string;
  /** The inbound API it came in through. */
  api: CallApi;
  key: ApiKeyRecord;
  request: R;
  startedAt: number;
  plan?: Plan;
  attempts: Attempt[];
  /** What happened on the way to the answer, for `x-polymux-route` (`fallback after 429 on a/b`). */
  route: string[];
  /** The caller's tags (usage row only), session and parent request ids (usage, audit and the span). */
  labels?: CallLabels;
  /** What the router plans from, derived once (`CallService.tokenBound` needs it before the plan). */
  intake?: Intake;
  /** The call's hold on its rate limits, ended with the tokens it used once its usage is recorded. */
  rateLimit?: RateLimitTicket;
}

export interface OpenedStream {
  deployment: Deployment;
  first: InvokeFrame;
  rest: AsyncIterator<InvokeFrame>;
}

/** What one candidate answered, with the deployment that answered it. */
export interface Answered<T> {
  deployment: Deployment;
  answer: T;
}

const isChat = (request: CallRequest): request is ChatRequest => 'messages' in request;
/** What the router plans from: never the body (see `intakeOf`), and an embeddings call's own intake. */
const intakeFor = (request: CallRequest): Intake => (isChat(request) ? intakeOf(request) : embeddingIntakeOf(request));
/** Only a chat call streams; an embeddings call always answers in one piece. */
const streams = (request: CallRequest): boolean => isChat(request) && request.stream;

/** The usage's optional token kinds that it reports. */
const tokenKinds = ({ cachedInputTokens, cacheWriteTokens, reasoningTokens }: Usage) => ({
  ...(cachedInputTokens === undefined ? {} : { cachedInputTokens }),
  ...(cacheWriteTokens === undefined ? {} : { cacheWriteTokens }),
  ...(reasoningTokens === undefined ? {} : { reasoningTokens }),
});

/** The session and parent request ids a call carries, for its usage event and audit record. */
const sessionFields = (labels: CallLabels | undefined) => ({
  ...(labels?.sessionId === undefined ? {} : { sessionId: labels.sessionId }),
  ...(labels?.parentRequestId === undefined ? {} : { parentRequestId: labels.parentRequestId }),
});

/** The labels a call carries into its usage event; an unlabelled call's event carries none. */
const labelFields = (labels: CallLabels | undefined) => ({
  ...(labels && Object.keys(labels.tags).length > 0 ? { tags: labels.tags } : {}),
  ...sessionFields(labels),
});

const MARGIN_MS = 2_000;
/** A caller still waiting for its answer: give JetStream a few seconds, then answer 503. */
const ANSWER_PUBLISH: PublishBudget = { deadlineMs: 5_000 };
/** A stream that relayed content cannot be taken back: keep retrying longer before giving up. */
const STREAM_PUBLISH: PublishBudget = { deadlineMs: 30_000 };

/**
 * The call pipeline of every model call, chat or embeddings: plan and reserve the maximum cost
 * (router, which asks the classifier and billing at once), invoke candidates in order until one
 * answers (executor), then settle through a durable usage event. Only the invoke step differs by
 * what is called (`open` for a chat call, `EmbeddingsService.embed` for embeddings, both through `attempt`).
 */
@Injectable()
export class CallService {
  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly messaging: MessagingClient,
    private readonly events: CallEvents,
  ) {}

  /**
   * The most tokens the call can use as far as ingress knows before planning, what its rate limits
   * count until it ends: the prompt's bound plus `max_tokens`, `n` times. A call without `max_tokens`
   * counts its prompt only until its end corrects it (the output bound is each deployment's own).
   */
  tokenBound(call: Call<CallRequest>): number {
    const intake = (call.intake ??= intakeFor(call.request));
    return (intake.signals.inputTokensUpperBound + (intake.maxOutputTokens ?? 0)) * (intake.n ?? 1);
  }

  /**
   * Plans the call and holds its maximum possible cost in one round trip: the router classifies and
   * reserves at the same time, so no balance is ever overspent. Only the intake travels, not the body.
   */
  async plan(call: Call<CallRequest>): Promise<Plan> {
    const { requestId, request, key } = call;
    call.plan = await this.messaging.request(
      Subjects.plan,
      {
        intake: (call.intake ??= intakeFor(request)),
        allowedModels: key.allowedModels,
        ...(key.routingPolicy ? { policy: key.routingPolicy } : {}),
        scopes: callScopesOf(key),
        accountId: key.accountId,
        reservationTtlSeconds: this.config.billing.reservationTtlSeconds,
      },
      { requestId },
    );
    return call.plan;
  }

  /** Tries candidates in order until one returns its first frame; later failures are the caller's to report. */
  async open(call: Call, signal: AbortSignal): Promise<OpenedStream> {
    const { upstream } = this.config;
    const firstTimeoutMs = call.request.stream
      ? upstream.connectTimeoutMs + upstream.firstByteTimeoutMs + MARGIN_MS
      : upstream.totalTimeoutMs + MARGIN_MS;
    const { deployment, answer } = await this.attempt(
      call,
      async (candidate) => {
        const frames = this.messaging.stream(
          Subjects.invoke,
          { deploymentId: candidate.id, request: call.request },
          {
            requestId: call.requestId,
            firstTimeoutMs,
            idleTimeoutMs: upstream.firstByteTimeoutMs + MARGIN_MS,
            signal,
          },
        );
        const first = await frames.next();
        if (first.done) throw new PolymuxException(ErrorCode.UpstreamError, 'the provider answered nothing');
        return { first: first.value, rest: frames };
      },
      signal,
    );
    return { deployment, ...answer };
  }

  /**
   * Invokes the plan's candidates in order until one answers, before any byte reaches the caller:
   * a 429, 5xx or unavailable provider is retried on the same deployment after a backoff
   * (`retryDelayMs`), then it and a timeout move on to the next candidate. Each failure is recorded
   * as an attempt and costs nothing. The call's retry budget and deadline bound the attempts; a
   * 4xx, the last failure, or one after the caller left is thrown.
   */
  async attempt<T>(
    call: Call<CallRequest>,
    invoke: (deployment: Deployment) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<Answered<T>> {
    const { retry } = this.config;
    const deadline = call.startedAt + retry.deadlineMs;
    const candidates = call.plan?.candidates ?? [];
    let spare = retry.budget;
    // Built only when needed: an exception's stack trace costs on every call otherwise.
    let failure: unknown;
    for (const deployment of candidates) {
      for (let tries = 1; ; tries++) {
        try {
          return { deployment, answer: await invoke(deployment) };
        } catch (error) {
          failure = error;
          call.attempts.push(this.failedAttempt(deployment, error));
          if (!fallsBack(error) || signal?.aborted) throw error;
        }
        const delay = retryDelayMs(failure, tries, retry);
        const wouldEnd = (wait: number) => spare === 0 || Date.now() + wait >= deadline;
        if (delay !== null && !wouldEnd(delay)) {
          spare--;
          call.route.push(`retry after ${failureLabel(failure)} on ${deployment.id}`);
          await sleep(delay, signal);
          continue;
        }
        if (wouldEnd(0)) throw failure;
        spare--;
        call.route.push(`fallback after ${failureLabel(failure)} on ${deployment.id}`);
        break;
      }
    }
    throw failure ?? new PolymuxException(ErrorCode.NoCapableModel, 'no candidate deployment');
  }

  /** How long an invoke that answers in one piece may take, the executor's own timeout included. */
  get answerTimeoutMs(): number {
    return this.config.upstream.totalTimeoutMs + MARGIN_MS;
  }

  /**
   * Charges what the successful attempt delivered and resolves once JetStream acknowledged the usage
   * event: the caller gets its answer only after that, so a process killed right after answering has
   * already made the charge durable. The usage event is the call's only durable publish: billing
   * charges it and audit derives the call's audit record from it, so an audit record never says
   * `success` for a call whose charge was not recorded. Rejects with `service_unavailable` when
   * JetStream does not acknowledge the usage within the budget; the caller decides (see the
   * controller): a non-streaming call answers 503 and releases its hold, a stream that already
   * relayed content keeps its hold.
   */
  async settle(call: Call<CallRequest>, deployment: Deployment, usage: Usage, outcome: UsageOutcome): Promise<void> {
    const { plan, key } = call;
    if (!plan) throw new PolymuxException(ErrorCode.Internal, 'settle before plan');
    call.attempts.push({ deploymentId: deployment.id, outcome });
    const cost = callCost(deployment.pricing, usage);
    const stream = streams(call.request);
    const budget = stream ? STREAM_PUBLISH : ANSWER_PUBLISH;
    await this.events.usage(
      {
        requestId: call.requestId,
        accountId: key.accountId,
        reservationId: plan.reservation.reservationId,
        orgId: key.orgId,
        teamId: key.teamId,
        projectId: key.projectId,
        keyId: key.id,
        userId: key.userId ?? null,
        requestedModel: call.request.model,
        model: deployment.model,
        deploymentId: deployment.id,
        provider: deployment.provider,
        task: plan.task,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        ...tokenKinds(usage),
        cost: cost.toString(),
        ...labelFields(call.labels),
        outcome,
        api: call.api,
        stream,
        attempts: call.attempts,
        durationMs: Date.now() - call.startedAt,
        occurredAt: new Date().toISOString(),
      },
      budget,
    );
    // Before the answer's last bytes: the caller's next call already sees the bound corrected.
    await call.rateLimit?.end(usage.inputTokens + usage.outputTokens);
  }

  /**
   * Nothing is charged for a failed call: the hold is released and the failure audited (the one
   * audit record ingress publishes; a charged call's comes from its usage event).
   */
  async failed(call: Call<CallRequest>, error: unknown): Promise<void> {
    const reservation = call.plan?.reservation;
    if (reservation) {
      void this.messaging
        .request(
          Subjects.release,
          { accountId: call.key.accountId, reservationId: reservation.reservationId, orgId: call.key.orgId },
          { requestId: call.requestId },
        )
        .catch(() => undefined); // the reservation expires on its own if billing cannot be reached
    }
    await this.events
      .audit(
        {
          id: CallAudit.id(call.requestId),
          category: 'call',
          action: CallAudit.action(call.api),
          outcome: 'failure',
          actorKeyId: call.key.id,
          orgId: call.key.orgId,
          projectId: call.key.projectId,
          requestId: call.requestId,
          target: call.request.model,
          metadata: {
            // An embeddings call's task is known before it is planned: the endpoint is its task.
            task: call.plan?.task ?? (isChat(call.request) ? null : 'embeddings'),
            stream: streams(call.request),
            durationMs: Date.now() - call.startedAt,
            errorCode: isPolymuxException(error) ? error.code : ErrorCode.Internal,
            attempts: call.attempts.length,
            ...sessionFields(call.labels),
          },
          occurredAt: new Date().toISOString(),
        },
        ANSWER_PUBLISH,
      )
      .catch(() => undefined); // logged and counted by CallEvents; the error answer goes out regardless
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
