import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ConsoleSpanExporter, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { pollUntil } from '@polymux/testing';

import { BATCH_DEFAULTS, batchConfigFromEnv, spanExportersFromEnv } from './span-export';
import { createTracerProvider } from './telemetry';

const saved = { ...process.env };
/** Runs with exactly these `OTEL_*` variables set (every other one unset). */
const withEnv = (env: Record<string, string>) => {
  for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
  Object.assign(process.env, env);
};
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const remoteParent = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });

describe('telemetry configuration', () => {
  it('batches with the tuned defaults unless OTEL_BSP_* says otherwise', () => {
    withEnv({});
    expect(batchConfigFromEnv()).toEqual(BATCH_DEFAULTS);
    withEnv({
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_BSP_EXPORT_TIMEOUT: '2000',
    });
    expect(batchConfigFromEnv()).toEqual({
      maxQueueSize: 100,
      maxExportBatchSize: 10,
      scheduledDelayMillis: 50,
      exportTimeoutMillis: 2000,
    });
  });

  it('exports over OTLP only when an endpoint or OTEL_TRACES_EXPORTER asks for it, with the protocol named', () => {
    withEnv({});
    expect(spanExportersFromEnv()).toEqual([]);
    expect(createTracerProvider('polymux-test')).toBeUndefined();
    withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(spanExportersFromEnv()).toEqual([expect.any(ProtobufExporter)]);
    withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(spanExportersFromEnv()).toEqual([expect.any(JsonExporter)]);
    withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' });
    expect(spanExportersFromEnv()).toEqual([]);
    withEnv({ OTEL_TRACES_EXPORTER: 'console' });
    expect(spanExportersFromEnv()).toEqual([expect.any(ConsoleSpanExporter)]);
  });

  it('samples with parentbased_traceidratio: new traces at the ratio, children as their parent decided', () => {
    withEnv({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' });
    for (const [ratio, roots] of [
      ['0', false],
      ['1', true],
    ] as const) {
      process.env.OTEL_TRACES_SAMPLER_ARG = ratio;
      const tracer = createTracerProvider('polymux-test')!.getTracer('test');
      expect(tracer.startSpan('root', {}, ROOT_CONTEXT).isRecording()).toBe(roots);
      expect(tracer.startSpan('child', {}, remoteParent(true)).isRecording()).toBe(true);
      expect(tracer.startSpan('child', {}, remoteParent(false)).isRecording()).toBe(false);
    }
  });

  it('exports in batches of OTEL_BSP_MAX_EXPORT_BATCH_SIZE, holding the rest for OTEL_BSP_SCHEDULE_DELAY', async () => {
    withEnv({
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      OTEL_SERVICE_NAME: 'polymux-configured',
      OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=polymux',
    });
    const batches: number[] = [];
    const exporter = new InMemorySpanExporter();
    const record = exporter.export.bind(exporter);
    exporter.export = (spans, done) => {
      batches.push(spans.length);
      record(spans, done);
    };
    const provider = createTracerProvider('polymux-default', [exporter])!;
    const tracer = provider.getTracer('test');
    for (let index = 0; index < 5; index += 1) tracer.startSpan(`span ${index}`).end();
    await pollUntil(
      () => batches.length,
      (count) => count >= 2,
    );
    expect(batches).toEqual([2, 2]);
    await provider.forceFlush();
    expect(batches).toEqual([2, 2, 1]);
    expect(exporter.getFinishedSpans()[0].resource.attributes).toMatchObject({
      'service.name': 'polymux-configured',
      'service.namespace': 'polymux',
    });
    await provider.shutdown();
  });
});
