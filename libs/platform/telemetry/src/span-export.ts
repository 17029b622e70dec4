import { diag } from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import type { BufferConfig, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';

import { loadOnDemand } from './load';

/**
 * Batch settings chosen for throughput: a call leaves up to two spans in one process (billing,
 * executor), so 300 calls/s are about 600 spans/s; a batch goes out every second or at 1,024
 * spans, and 4,096 queued spans (a few MB) ride out a slow collector before spans are dropped.
 * The standard `OTEL_BSP_*` variables override each value.
 */
export const BATCH_DEFAULTS = {
  maxQueueSize: 4096,
  maxExportBatchSize: 1024,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 10_000,
} as const satisfies Required<BufferConfig>;

export const batchConfigFromEnv = (): Required<BufferConfig> => ({
  maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE') ?? BATCH_DEFAULTS.maxQueueSize,
  maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? BATCH_DEFAULTS.maxExportBatchSize,
  scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY') ?? BATCH_DEFAULTS.scheduledDelayMillis,
  exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT') ?? BATCH_DEFAULTS.exportTimeoutMillis,
});

/** One package per OTLP protocol; only the configured one is loaded. */
const OTLP_PACKAGES: Record<string, string> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
};

/** An OTLP exporter for `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`; it reads its endpoint and headers itself. */
const otlpExporter = (): SpanExporter => {
  let protocol =
    getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ??
    getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ??
    'http/protobuf';
  if (!OTLP_PACKAGES[protocol]) {
    diag.warn(`unsupported OTLP protocol "${protocol}", using http/protobuf`);
    protocol = 'http/protobuf';
  }
  const { OTLPTraceExporter } = loadOnDemand<{ OTLPTraceExporter: new () => SpanExporter }>(OTLP_PACKAGES[protocol]);
  return new OTLPTraceExporter();
};

/**
 * The span exporters `OTEL_TRACES_EXPORTER` names (`otlp`, `console`, `none`). Without that variable
 * spans are exported over OTLP only when an OTLP endpoint is set; otherwise none: trace context
 * still propagates, but no span is recorded.
 */
export const spanExportersFromEnv = (): SpanExporter[] => {
  const names = getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? [];
  if (names.length === 0) {
    const endpoint =
      getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    return endpoint ? [otlpExporter()] : [];
  }
  if (names.includes('none')) return [];
  return [...new Set(names)].flatMap((name): SpanExporter[] => {
    if (name === 'otlp') return [otlpExporter()];
    if (name === 'console') return [new ConsoleSpanExporter()];
    diag.warn(`unsupported OTEL_TRACES_EXPORTER value "${name}" ignored`);
    return [];
  });
};
