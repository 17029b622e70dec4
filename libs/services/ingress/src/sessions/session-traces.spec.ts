import type { SpanContext } from '@opentelemetry/api';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { PolymuxConfig } from '@polymux/config';

import { key } from '../call/testing/call-fixtures';
import type { CallLabels } from '../call/call-labels';
import { MemorySpanLinkStore } from './memory-span-link.store';
import { SessionTraces } from './session-traces';
import type { SpanLinkStore } from './span-link.store';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const config = { sessions: { spanLinkTtlSeconds: 60 } } as PolymuxConfig;
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** One call's ingress span, active while `link` runs, ended once the store has answered. */
const serve = async (traces: SessionTraces, requestId: string, labels: CallLabels, orgId = key.orgId) => {
  const span = tracer.startSpan(`ingress ${requestId}`);
  context.with(trace.setSpan(context.active(), span), () => traces.link({ requestId, key: { ...key, orgId }, labels }));
  await flush();
  span.end();
  return exporter.getFinishedSpans().find((finished) => finished.name === `ingress ${requestId}`)!;
};

afterEach(() => exporter.reset());

describe('SessionTraces', () => {
  it('gives every session call the session id and links a child to its parent’s ingress span', async () => {
    const traces = new SessionTraces(new MemorySpanLinkStore(), config);
    const parent = await serve(traces, 'req_a', { tags: {}, sessionId: 'run-1' });
    const child = await serve(traces, 'req_b', {
      tags: { team: 'search' },
      sessionId: 'run-1',
      parentRequestId: 'req_a',
    });
    const grandchild = await serve(traces, 'req_c', { tags: {}, parentRequestId: 'req_b' });
    expect(parent.attributes).toEqual({ 'polymux.session_id': 'run-1' });
    expect(parent.links).toEqual([]);
    // Ids only: the call's tags never reach its span.
    expect(child.attributes).toEqual({ 'polymux.session_id': 'run-1', 'polymux.parent_request_id': 'req_a' });
    expect(child.links.map((link) => link.context.spanId)).toEqual([parent.spanContext().spanId]);
    expect(child.links[0]).toMatchObject({
      context: { traceId: parent.spanContext().traceId },
      attributes: { 'polymux.link': 'parent_request' },
    });
    expect(grandchild.links.map((link) => link.context.spanId)).toEqual([child.spanContext().spanId]);
  });

  it('links nothing to an unknown parent, nor to another org’s call of the same id', async () => {
    const traces = new SessionTraces(new MemorySpanLinkStore(), config);
    await serve(traces, 'req_a', { tags: {}, sessionId: 'run-1' }, 'org-other');
    const child = await serve(traces, 'req_b', { tags: {}, sessionId: 'run-1', parentRequestId: 'req_a' });
    const orphan = await serve(traces, 'req_c', { tags: {}, parentRequestId: 'req_unknown' });
    expect(child.links).toEqual([]);
    expect(orphan.links).toEqual([]);
    expect(orphan.attributes).toEqual({ 'polymux.parent_request_id': 'req_unknown' });
  });

  it('keeps nothing for a call without session or parent, and fails no call when the store fails', async () => {
    const store = new MemorySpanLinkStore();
    const plain = await serve(new SessionTraces(store, config), 'req_a', { tags: { env: 'prod' } });
    expect(plain.attributes).toEqual({});
    expect(store.size).toBe(0);
    const broken: SpanLinkStore = {
      remember: () => Promise.reject(new Error('redis down')),
      find: () => Promise.reject(new Error('redis down')),
    };
    const child = await serve(new SessionTraces(broken, config), 'req_b', { tags: {}, parentRequestId: 'req_a' });
    expect(child.attributes).toEqual({ 'polymux.parent_request_id': 'req_a' });
    expect(child.links).toEqual([]);
  });

  it('does nothing outside a sampled span', () => {
    const store = new MemorySpanLinkStore();
    new SessionTraces(store, config).link({ requestId: 'req_a', key, labels: { tags: {}, sessionId: 'run-1' } });
    expect(store.size).toBe(0);
  });
});

describe('MemorySpanLinkStore', () => {
  const spanContext = (spanId: string): SpanContext => ({ traceId: 'a'.repeat(32), spanId, traceFlags: 1 });

  it('forgets a span context after its TTL', async () => {
    let nowMs = 0;
    const store = new MemorySpanLinkStore(() => nowMs);
    await store.remember('org', 'req_a', spanContext('1'.repeat(16)), 60);
    nowMs = 59_999;
    expect(await store.find('org', 'req_a')).toMatchObject({ spanId: '1'.repeat(16) });
    nowMs = 60_000;
    expect(await store.find('org', 'req_a')).toBeUndefined();
    await store.remember('org', 'req_b', spanContext('2'.repeat(16)), 60);
    expect(store.size).toBe(1);
  });

  it('drops the oldest entries past its capacity', async () => {
    const store = new MemorySpanLinkStore(() => 0, 2);
    for (const id of ['req_a', 'req_b', 'req_c']) await store.remember('org', id, spanContext('3'.repeat(16)), 60);
    expect(store.size).toBe(2);
    expect(await store.find('org', 'req_a')).toBeUndefined();
    expect(await store.find('org', 'req_c')).toBeDefined();
  });
});
