import type { TextMapPropagator } from '@opentelemetry/api';
import { context, diag, DiagConsoleLogger, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  diagLogLevelFromString,
  getStringFromEnv,
  getStringListFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import type { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

import { loadOnDemand } from './load';
import { batchConfigFromEnv, spanExportersFromEnv } from './span-export';

export interface TelemetryOptions {
  /** Trace incoming HTTP requests (the services that serve HTTP); message-only services have none. */
  httpServer: boolean;
}

let provider: BasicTracerProvider | undefined;
let started = false;
/** Local ports whose incoming requests are not traced (the embedded mode's provider simulator). */
const untracedPorts = new Set<number>();

/** Stops tracing requests to a server of this process, e.g. the simulator standing in for a provider. */
export const untraceServerPort = (port: number): void => void untracedPorts.add(port);

/** `OTEL_PROPAGATORS` (default `tracecontext,baggage`); only the W3C propagators are available. */
const propagatorFromEnv = (): TextMapPropagator => {
  const propagators: TextMapPropagator[] = [];
  for (const name of getStringListFromEnv('OTEL_PROPAGATORS') ?? ['tracecontext', 'baggage']) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (name !== 'none') diag.warn(`unsupported OTEL_PROPAGATORS value "${name}" ignored`);
  }
  return new CompositePropagator({ propagators });
};

/**
 * Builds the tracer provider from the standard variables: sampler (`OTEL_TRACES_SAMPLER`,
 * `OTEL_TRACES_SAMPLER_ARG`, read by the provider), span limits, the exporters and batch settings
 * (`OTEL_BSP_*`, see `BATCH_DEFAULTS`). Undefined when nothing is exported: spans would only cost.
 */
export const createTracerProvider = (
  serviceName: string,
  exporters: SpanExporter[] = spanExportersFromEnv(),
): BasicTracerProvider | undefined => {
  if (exporters.length === 0) return undefined;
  const batch = batchConfigFromEnv();
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
    .merge(resourceFromAttributes({ 'service.name': getStringFromEnv('OTEL_SERVICE_NAME') ?? serviceName }));
  return new BasicTracerProvider({
    resource,
    spanProcessors: exporters.map((exporter) => new BatchSpanProcessor(exporter, batch)),
  });
};

/**
 * Query parameters redacted from server spans' `url.query`: the instrumentation's own defaults
 * (signed URLs), and the usage reports' `tags` filter: tags are caller-set labels that go to usage
 * rows only, never to a span.
 */
export const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'tags',
];

/**
 * Starts OpenTelemetry; call it from an `instrument.ts` imported on the first line of `main.ts`,
 * before anything that opens a socket. Deliberately not the NodeSDK, which loads every exporter,
 * metrics, logs and gRPC at start (about 10 MB per process): only the trace SDK, the HTTP server
 * instrumentation where there is a server, and the one exporter the environment names.
 */
export const startTelemetry = (service: string, options: TelemetryOptions): void => {
  if (started || getStringFromEnv('OTEL_SDK_DISABLED') === 'true') return;
  started = true;
  const logLevel = getStringFromEnv('OTEL_LOG_LEVEL');
  if (logLevel) diag.setLogger(new DiagConsoleLogger(), diagLogLevelFromString(logLevel));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagatorFromEnv());
  // The server span of each incoming request; outgoing HTTP needs none (the executor's GenAI span
  // describes each provider call, and the exporter's own requests must not be traced).
  if (options.httpServer) {
    const http = loadOnDemand<{ HttpInstrumentation: typeof HttpInstrumentation }>(
      '@opentelemetry/instrumentation-http',
    );
    // Enabled on construction: it patches `http` before the service imports it.
    new http.HttpInstrumentation({
      ignoreIncomingRequestHook: (request) =>
        request.url === '/health' || untracedPorts.has(request.socket?.localPort ?? -1),
      disableOutgoingRequestInstrumentation: true,
      redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
    });
  }
  provider = createTracerProvider(`polymux-${service}`);
  if (!provider) return;
  trace.setGlobalTracerProvider(provider);
  process.once('beforeExit', () => void provider?.shutdown());
};

/** Exports the spans still batched; a service calls it when it stops, so a deploy loses none. */
export const flushTelemetry = async (): Promise<void> => {
  await provider?.forceFlush();
};
