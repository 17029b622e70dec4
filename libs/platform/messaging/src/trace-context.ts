import type { Attributes, Context } from '@opentelemetry/api';
import { context, propagation, trace } from '@opentelemetry/api';

import type { BusHeaders } from './bus/bus';

export const tracer = trace.getTracer('@polymux/messaging');

/** Writes the active trace context (`traceparent`, `tracestate`) into message headers. */
export const injectTraceContext = (headers: BusHeaders, ctx: Context = context.active()): BusHeaders => {
  propagation.inject(ctx, headers);
  return headers;
};

export const extractTraceContext = (headers: BusHeaders): Context => propagation.extract(context.active(), headers);

/** OpenTelemetry messaging attributes for a NATS hop; never an inbox in a span name. */
export const messagingAttributes = (subject: string, operation: 'send' | 'process' | 'receive'): Attributes => ({
  'messaging.system': 'nats',
  'messaging.destination.name': subject,
  'messaging.operation.type': operation,
});
