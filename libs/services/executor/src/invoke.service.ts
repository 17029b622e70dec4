import type { Span } from '@opentelemetry/api';
import { context, trace } from '@opentelemetry/api';
import { Inject, Injectable } from '@nestjs/common';
import type { ChatChunk, FinishReason, InvokeFrame, InvokeRequest, Usage } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { ProviderAdapter, ProviderCall } from '@polymux/providers';
import { PROVIDER_ADAPTERS } from '@polymux/providers';
import type { Subscriber } from 'rxjs';
import { Observable } from 'rxjs';

import { credentialFor } from './credentials';
import { recordFailure, recordOutcome, startGenAiSpan } from './gen-ai.span';

/** Why the upstream call is aborted when the caller unsubscribes without a signal of its own. */
const ABANDONED = new Error('invocation abandoned by its caller');

/**
 * Runs one upstream call through the deployment's provider adapter and answers it as invoke
 * frames. Unsubscribing, or aborting `signal`, aborts the upstream request.
 */
@Injectable()
export class InvokeService {
  private readonly adapters: ReadonlyMap<string, ProviderAdapter>;

  constructor(@Inject(PROVIDER_ADAPTERS) adapters: ProviderAdapter[]) {
    this.adapters = new Map(adapters.map((adapter) => [adapter.provider, adapter]));
  }

  invoke(invocation: InvokeRequest, signal: AbortSignal): Observable<InvokeFrame> {
    return new Observable<InvokeFrame>((subscriber) => {
      const controller = new AbortController();
      const abort = () => controller.abort(signal.reason ?? ABANDONED);
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      const span = startGenAiSpan(invocation.deployment, invocation.request);
      void context
        .with(trace.setSpan(context.active(), span), () => this.run(invocation, controller.signal, span, subscriber))
        .finally(() => signal.removeEventListener('abort', abort));
      return () => {
        if (!controller.signal.aborted) controller.abort(ABANDONED);
      };
    });
  }

  private async run(
    invocation: InvokeRequest,
    signal: AbortSignal,
    span: Span,
    subscriber: Subscriber<InvokeFrame>,
  ): Promise<void> {
    try {
      const call: ProviderCall = { ...invocation, apiKey: credentialFor(invocation.deployment), signal };
      const adapter = this.adapterFor(invocation.deployment.provider);
      if (invocation.request.stream) {
        const usage = await this.streamChunks(adapter, call, span, subscriber);
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
    } catch (error) {
      recordFailure(span, error, signal.aborted);
      subscriber.error(error);
    } finally {
      span.end();
    }
  }

  /** Forwards every chunk with choices; usage-only chunks are not forwarded, their usage ends the stream. */
  private async streamChunks(
    adapter: ProviderAdapter,
    call: ProviderCall,
    span: Span,
    subscriber: Subscriber<InvokeFrame>,
  ): Promise<Usage | null> {
    let usage: Usage | null = null;
    let last: ChatChunk | undefined;
    const finishReasons = new Map<number, FinishReason>();
    for await (const chunk of adapter.stream(call)) {
      last = chunk;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        if (choice.finishReason) finishReasons.set(choice.index, choice.finishReason);
      }
      if (chunk.choices.length > 0) subscriber.next({ type: 'chunk', chunk });
    }
    recordOutcome(span, { id: last?.id, model: last?.model, usage, finishReasons: [...finishReasons.values()] });
    return usage;
  }

  private adapterFor(provider: string): ProviderAdapter {
    const adapter = this.adapters.get(provider);
    if (!adapter)
      throw new PolymuxException(ErrorCode.ServiceUnavailable, `no adapter for provider ${provider} in this executor`);
    return adapter;
  }
}
