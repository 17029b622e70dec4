import type { Span } from '@opentelemetry/api';
import { context, trace } from '@opentelemetry/api';
import { Inject, Injectable } from '@nestjs/common';
import type { ChatChunk, FinishReason, InvokeFrame, InvokeRequest, Usage } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { ProviderAdapter, ProviderCall } from '@polymux/providers';
import { PROVIDER_ADAPTERS } from '@polymux/providers';
import type { Subscriber } from 'rxjs';
import { Observable } from 'rxjs';

import { DeploymentResolver } from './deployment-resolver.service';
import { recordFailure, recordOutcome, startGenAiSpan } from './gen-ai.span';
import { MediaInliner } from './media-inliner.service';
import type { CallTimes } from './outcome-reporter.service';
import { OutcomeReporter } from './outcome-reporter.service';
import { UpstreamGuard } from './upstream-guard.service';

/** Why the upstream call is aborted when the caller unsubscribes without a signal of its own. */
const ABANDONED = new Error('invocation abandoned by its caller');

/**
 * Runs one upstream call of a catalog deployment through its provider adapter and answers it as
 * invoke frames. An id the catalog does not name is refused before any upstream call. Unsubscribing,
 * or aborting `signal`, aborts the upstream request.
 */
@Injectable()
export class InvokeService {
  private readonly adapters: ReadonlyMap<string, ProviderAdapter>;

  constructor(
    @Inject(PROVIDER_ADAPTERS) adapters: ProviderAdapter[],
    private readonly deployments: DeploymentResolver,
    private readonly guard: UpstreamGuard,
    private readonly media: MediaInliner,
    private readonly outcomes: OutcomeReporter,
  ) {
    this.adapters = new Map(adapters.map((adapter) => [adapter.provider, adapter]));
  }

  invoke({ deploymentId, request }: InvokeRequest, signal: AbortSignal): Observable<InvokeFrame> {
    return new Observable<InvokeFrame>((subscriber) => {
      // Throws (as the observable's error) before any upstream call for an id the catalog does not name.
      const { admin, ...target } = this.deployments.resolve(deploymentId);
      const controller = new AbortController();
      const abort = () => controller.abort(signal.reason ?? ABANDONED);
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      const span = startGenAiSpan(target.deployment, request, target.baseUrl);
      const call: ProviderCall = { ...target, request, signal: controller.signal };
      void context
        .with(trace.setSpan(context.active(), span), () =>
          this.guard.run(admin, () => this.run(call, span, subscriber)),
        )
        .finally(() => signal.removeEventListener('abort', abort));
      return () => {
        if (!controller.signal.aborted) controller.abort(ABANDONED);
      };
    });
  }

  private async run(call: ProviderCall, span: Span, subscriber: Subscriber<InvokeFrame>): Promise<void> {
    const times: CallTimes = { startedAt: Date.now() };
    try {
      const adapter = this.adapterFor(call.deployment.provider);
      // The provider cannot fetch media URLs: fetched here, through the SSRF guard, and sent inline.
      if (adapter.fetchesMediaUrls === false)
        call = { ...call, request: await this.media.inline(call.request, call.signal) };
      let generated: number | undefined;
      if (call.request.stream) {
        const { usage, reasoningShown } = await this.streamChunks(adapter, call, span, subscriber, times);
        // Hidden reasoning is generated before the first frame: only what came after it counts for speed.
        if (usage) generated = usage.outputTokens - (reasoningShown ? 0 : (usage.reasoningTokens ?? 0));
        subscriber.next({ type: 'done', usage });
      } else {
        const response = await adapter.complete(call);
        recordOutcome(span, {
          id: response.id,
          model: response.model,
          usage: response.usage,
          finishReasons: response.choices.map((choice) => choice.finishReason),
        });
        subscriber.next({ type: 'response', response });
      }
      subscriber.complete();
      this.outcomes.succeeded(call.deployment.id, times, generated);
    } catch (error) {
      recordFailure(span, error, call.signal.aborted);
      // A call its caller abandoned says nothing about the deployment's health.
      if (!call.signal.aborted) this.outcomes.failed(call.deployment.id, times, error);
      subscriber.error(error);
    } finally {
      span.end();
    }
  }

  /**
   * Forwards every chunk with choices; usage-only chunks are not forwarded, their usage ends the
   * stream. Also says whether any reasoning was streamed (else the provider's reasoning was hidden).
   */
  private async streamChunks(
    adapter: ProviderAdapter,
    call: ProviderCall,
    span: Span,
    subscriber: Subscriber<InvokeFrame>,
    times: CallTimes,
  ): Promise<{ usage: Usage | null; reasoningShown: boolean }> {
    let usage: Usage | null = null;
    let last: ChatChunk | undefined;
    let reasoningShown = false;
    const finishReasons = new Map<number, FinishReason>();
    for await (const chunk of adapter.stream(call)) {
      last = chunk;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        if (choice.finishReason) finishReasons.set(choice.index, choice.finishReason);
        if (choice.reasoning) reasoningShown = true;
      }
      if (chunk.choices.length > 0) {
        times.lastAt = Date.now();
        times.firstAt ??= times.lastAt;
        subscriber.next({ type: 'chunk', chunk });
      }
    }
    recordOutcome(span, { id: last?.id, model: last?.model, usage, finishReasons: [...finishReasons.values()] });
    return { usage, reasoningShown };
  }

  private adapterFor(provider: string): ProviderAdapter {
    const adapter = this.adapters.get(provider);
    if (!adapter)
      throw new PolymuxException(ErrorCode.ServiceUnavailable, `no adapter for provider ${provider} in this executor`);
    return adapter;
  }
}
