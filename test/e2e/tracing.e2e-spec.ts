import { join } from 'node:path';

import type { CollectedSpan, Stack } from '@polymux/testing';
import { deleteNatsNamespace, pollUntil, startSpanCollector, startStack } from '@polymux/testing';
import OpenAI from 'openai';

jest.setTimeout(120_000);

const BOOTSTRAP_KEY = 'pmx-e2e-tracing-key-0123456789abcdef';
/** The most spans one chat call may leave in the distributed mode, end to end. */
const MAX_SPANS_PER_CALL = 8;
const SpanKind = { server: 2, client: 3, consumer: 5 } as const;

/** The spans of the trace whose ingress server span carries `requestId`. */
const traceOf = (spans: CollectedSpan[], requestId: string): CollectedSpan[] => {
  const root = spans.find((span) => span.attributes['polymux.request_id'] === requestId);
  return root ? spans.filter((span) => span.traceId === root.traceId) : [];
};

const servicesOf = (trace: CollectedSpan[]) => new Set(trace.map((span) => span.service));

/** The batch spans of the durable consumers that handled the call's events: own traces, linked to the call's. */
const linkedTo = (spans: CollectedSpan[], trace: CollectedSpan[]): CollectedSpan[] => {
  const traceId = trace[0]?.traceId;
  return traceId ? spans.filter((span) => span.links.some((link) => link.traceId === traceId)) : [];
};

/** Every span of the call has been started: the executor's model call, and the usage consumed by billing and audit. */
const complete = (spans: CollectedSpan[]) => (trace: CollectedSpan[]) =>
  trace.some((span) => span.attributes['gen_ai.operation.name'] === 'chat') &&
  ['polymux-billing', 'polymux-audit'].every((service) =>
    linkedTo(spans, trace).some((span) => span.service === service && span.kind === SpanKind.consumer),
  );

describe('tracing (distributed mode)', () => {
  let stack: Stack | undefined;
  let collector: Awaited<ReturnType<typeof startSpanCollector>>;
  let client: OpenAI;
  const namespace = `e2etrace${process.pid}${Date.now()}`;
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  let authenticated = false;

  beforeAll(async () => {
    collector = await startSpanCollector();
    stack = await startStack({
      mode: 'distributed',
      authenticatedNats: true,
      bootstrapKey: BOOTSTRAP_KEY,
      env: {
        POLYMUX_CATALOG_FILE: join(__dirname, 'catalog.yaml'),
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        NATS_URL: natsUrl,
        NATS_SUBJECT_PREFIX: namespace,
        REDIS_KEY_PREFIX: `${namespace}:`,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // What the deployment files set, at a ratio that samples every trace: each service follows
        // the sampling decision of the ingress span it receives.
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '1',
      },
    });
    authenticated = stack.nats?.authenticated ?? false;
    client = new OpenAI({ apiKey: BOOTSTRAP_KEY, baseURL: `${stack.ingressUrl}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.stop();
    await collector?.close();
    if (!authenticated) await deleteNatsNamespace(natsUrl, namespace);
  });

  it(`leaves at most ${MAX_SPANS_PER_CALL} spans per call, streamed or not, in one trace across every service`, async () => {
    const messages = [{ role: 'user' as const, content: 'Say hello.' }];
    // The bootstrap credits land just after start, and the first call resolves the key at control:
    // both are behind us once one call has succeeded.
    await pollUntil(
      () => client.chat.completions.create({ model: 'gpt-4.1-mini', messages }).then(() => true),
      Boolean,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const plain = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages }).withResponse();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4.1-mini', messages, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    for await (const chunk of stream) void chunk;
    const requestIds = [plain.response.headers.get('x-request-id')!, response.headers.get('x-request-id')!];
    await pollUntil(
      () => requestIds.map((requestId) => traceOf(collector.spans, requestId)),
      (traces) => traces.every(complete(collector.spans)),
      { timeoutMs: 20_000 },
    );
    // Stopping flushes every service's batched spans (SIGTERM): nothing of these calls is still to come.
    await stack!.stop();
    stack = undefined;

    for (const requestId of requestIds) {
      const trace = traceOf(collector.spans, requestId);
      const names = trace.map((span) => `${span.service}: ${span.name}`);
      expect(names.slice(MAX_SPANS_PER_CALL)).toEqual([]);
      expect(trace.length).toBeGreaterThanOrEqual(6);
      // One connected trace: a single root (ingress's HTTP server span), every other span's parent in it.
      const ids = new Set(trace.map((span) => span.spanId));
      const roots = trace.filter((span) => !span.parentSpanId);
      expect(roots.map((span) => [span.service, span.kind])).toEqual([['polymux-ingress', SpanKind.server]]);
      expect(trace.filter((span) => span.parentSpanId && !ids.has(span.parentSpanId))).toEqual([]);
      expect([...servicesOf(trace)].sort()).toEqual(
        expect.arrayContaining(
          ['ingress', 'router', 'classifier', 'billing', 'executor'].map((name) => `polymux-${name}`),
        ),
      );
      // Settlement and the audit record happen in batches, each batch its own span linking this trace.
      const consumers = linkedTo(collector.spans, trace);
      expect(new Set(consumers.map((span) => span.service))).toEqual(new Set(['polymux-billing', 'polymux-audit']));
      expect(consumers.every((span) => span.kind === SpanKind.consumer)).toBe(true);
      // Each NATS hop is one span of the service that handles it, with the messaging conventions.
      for (const span of trace.filter((candidate) => candidate !== roots[0] && candidate.kind !== SpanKind.client)) {
        expect(span.attributes).toMatchObject({
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': expect.any(String),
        });
      }
      // The model call: the executor's GenAI client span, the only client span of a call that succeeded.
      const clients = trace.filter((span) => span.kind === SpanKind.client);
      expect(clients.map((span) => [span.service, span.name])).toEqual([['polymux-executor', 'chat gpt-4.1-mini']]);
      expect(clients[0].attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4.1-mini',
        'gen_ai.usage.output_tokens': expect.anything(),
      });
    }
  });
});
