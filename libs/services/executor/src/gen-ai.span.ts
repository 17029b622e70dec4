import type { Attributes, Span } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ChatRequest, Deployment, FinishReason, Usage } from '@polymux/contracts';
import { isPolymuxException } from '@polymux/contracts';

const tracer = trace.getTracer('@polymux/executor');

/**
 * OpenTelemetry GenAI semantic-convention attributes of an upstream model call. Zero data
 * retention: metadata only — never a prompt, completion, tool argument or stop sequence.
 */
export const GenAi = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** The older name of `gen_ai.provider.name`, still read by most backends. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestSeed: 'gen_ai.request.seed',
  requestChoiceCount: 'gen_ai.request.choice.count',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
} as const;

const OPERATION = 'chat';

const serverAttributes = (baseUrl: string): Attributes => {
  try {
    const url = new URL(baseUrl);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { 'server.address': url.hostname, 'server.port': port };
  } catch {
    return {};
  }
};

const defined = (attributes: Record<string, string | number | boolean | undefined>): Attributes =>
  Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));

/** Starts the client span of one upstream call under the active context. */
export const startGenAiSpan = (deployment: Deployment, request: ChatRequest, baseUrl: string): Span =>
  tracer.startSpan(`${OPERATION} ${deployment.upstreamModel}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      ...defined({
        [GenAi.operationName]: OPERATION,
        [GenAi.providerName]: deployment.provider,
        [GenAi.system]: deployment.provider,
        [GenAi.requestModel]: deployment.upstreamModel,
        [GenAi.requestMaxTokens]: request.maxOutputTokens,
        [GenAi.requestTemperature]: request.temperature,
        [GenAi.requestTopP]: request.topP,
        [GenAi.requestSeed]: request.seed,
        [GenAi.requestChoiceCount]: request.n,
        'polymux.deployment.id': deployment.id,
        'polymux.stream': request.stream,
      }),
      ...serverAttributes(baseUrl),
    },
  });

export interface CallOutcome {
  id?: string;
  model?: string;
  usage: Usage | null;
  finishReasons: Array<FinishReason | null>;
}

export const recordOutcome = (span: Span, outcome: CallOutcome): void => {
  span.setAttributes(
    defined({
      [GenAi.responseId]: outcome.id || undefined,
      [GenAi.responseModel]: outcome.model,
      [GenAi.inputTokens]: outcome.usage?.inputTokens,
      [GenAi.outputTokens]: outcome.usage?.outputTokens,
      [GenAi.cacheReadInputTokens]: outcome.usage?.cachedInputTokens,
    }),
  );
  const reasons = outcome.finishReasons.filter((reason): reason is FinishReason => reason !== null);
  if (reasons.length > 0) span.setAttribute(GenAi.responseFinishReasons, reasons);
};

/**
 * Marks a failed or cancelled call. Only the error code and upstream status are recorded: an
 * upstream message may quote the request, so it never enters the span.
 */
export const recordFailure = (span: Span, error: unknown, cancelled: boolean): void => {
  if (cancelled) {
    span.setAttribute('polymux.cancelled', true);
    return;
  }
  const code = isPolymuxException(error) ? error.code : 'internal_error';
  span.setAttribute('error.type', code);
  if (isPolymuxException(error) && error.details.upstreamStatus !== undefined) {
    span.setAttribute('http.response.status_code', error.details.upstreamStatus);
  }
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
};
