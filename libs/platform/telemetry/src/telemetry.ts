import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry; call it from an `instrument.ts` imported on the first line of `main.ts`,
 * before anything that opens a socket. The exporter follows the standard `OTEL_*` variables; when
 * neither `OTEL_TRACES_EXPORTER` nor an OTLP endpoint is set, spans still propagate but are not exported.
 */
export const startTelemetry = (serviceName: string): void => {
  if (sdk || process.env.OTEL_SDK_DISABLED === 'true') return;
  if (process.env.OTEL_LOG_LEVEL === 'debug') diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.DEBUG);
  const exporting = Boolean(
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
    // No processors without a destination: the SDK would otherwise default to an OTLP exporter.
    ...(exporting ? {} : { spanProcessors: [] }),
    metricReaders: [],
  });
  sdk.start();
  process.once('beforeExit', () => void sdk?.shutdown());
};
