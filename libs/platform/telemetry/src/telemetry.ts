import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry; call it from an `instrument.ts` imported on the first line of `main.ts`,
 * before anything that opens a socket. The exporter follows the standard `OTEL_*` variables; when
 * neither `OTEL_TRACES_EXPORTER` nor an OTLP endpoint is set, spans still propagate but are not exported.
 */
export const startTelemetry = (serviceName: string, exporter?: SpanExporter): void => {
  if (sdk || process.env.OTEL_SDK_DISABLED === 'true') return;
  if (process.env.OTEL_LOG_LEVEL === 'debug') diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.DEBUG);
  const exporting = Boolean(
    exporter ||
    process.env.OTEL_TRACES_EXPORTER ||
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT ||
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  );
  sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? `polymux-${serviceName}`,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => request.url === '/health' }),
      new UndiciInstrumentation(),
    ],
    ...(exporter ? { spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 200 })] } : {}),
    ...(exporting ? {} : { traceExporter: undefined, spanProcessors: [] }),
    metricReaders: [],
  });
  sdk.start();
  process.once('beforeExit', () => void sdk?.shutdown());
};

/** Flushes and stops the SDK (tests and graceful shutdown). */
export const stopTelemetry = async (): Promise<void> => {
  await sdk?.shutdown();
  sdk = undefined;
};
