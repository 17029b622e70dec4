import type { Span } from '@opentelemetry/api';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { Inject, Injectable } from '@nestjs/common';
import type { Deployment, EmbedRequest, EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { ProviderAdapter } from '@polymux/providers';
import { PROVIDER_ADAPTERS } from '@polymux/providers';

import { DeploymentResolver } from './deployment-resolver.service';
import { GenAi, recordFailure } from './gen-ai.span';
import { OutcomeReporter } from './outcome-reporter.service';
import { UpstreamGuard } from './upstream-guard.service';

const tracer = trace.getTracer('@polymux/executor');
/** The GenAI semantic conventions' operation name for an embeddings call. */
const OPERATION = 'embeddings';

/** The client span of one upstream embeddings call: metadata only, never an input. */
const startEmbeddingsSpan = (deployment: Deployment, request: EmbedRequest['request']): Span =>
  tracer.startSpan(`${OPERATION} ${deployment.upstreamModel}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      [GenAi.operationName]: OPERATION,
      [GenAi.providerName]: deployment.provider,
      [GenAi.system]: deployment.provider,
      [GenAi.requestModel]: deployment.upstreamModel,
      'polymux.deployment.id': deployment.id,
      'polymux.embeddings.inputs': request.input.length,
      ...(request.dimensions !== undefined ? { 'gen_ai.embeddings.dimension.count': request.dimensions } : {}),
    },
  });

/**
 * Runs one upstream embeddings call of a catalog deployment through its provider adapter. Like an
 * invoke, an id the catalog does not name is refused before any upstream call, aborting `signal`
 * (the caller gave up) aborts the upstream request, and how the call ended feeds the deployment's
 * health (latency, errors, rate limits) as a chat call's does.
 */
@Injectable()
export class EmbedService {
  private readonly adapters: ReadonlyMap<string, ProviderAdapter>;

  constructor(
    @Inject(PROVIDER_ADAPTERS) adapters: ProviderAdapter[],
    private readonly deployments: DeploymentResolver,
    private readonly guard: UpstreamGuard,
    private readonly outcomes: OutcomeReporter,
  ) {
    this.adapters = new Map(adapters.map((adapter) => [adapter.provider, adapter]));
  }

  async embed({ deploymentId, request }: EmbedRequest, signal: AbortSignal): Promise<EmbeddingResponse> {
    const { admin, ...target } = this.deployments.resolve(deploymentId);
    const adapter = this.adapters.get(target.deployment.provider);
    if (!adapter?.embed) {
      // Not retryable: the catalog gave an embeddings capability to a provider family without an embeddings API.
      throw new PolymuxException(
        ErrorCode.Internal,
        `provider ${target.deployment.provider} has no embeddings API in this executor`,
      );
    }
    const span = startEmbeddingsSpan(target.deployment, request);
    const times = { startedAt: Date.now() };
    try {
      const response = await context.with(trace.setSpan(context.active(), span), () =>
        this.guard.run(admin, () => adapter.embed!({ ...target, request, signal })),
      );
      span.setAttributes({
        [GenAi.responseModel]: response.model,
        ...(response.inputTokens !== null ? { [GenAi.inputTokens]: response.inputTokens } : {}),
      });
      this.outcomes.succeeded(deploymentId, times);
      return response;
    } catch (error) {
      recordFailure(span, error, signal.aborted);
      if (!signal.aborted) this.outcomes.failed(deploymentId, times, error);
      throw error;
    } finally {
      span.end();
    }
  }
}
