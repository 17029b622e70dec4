import type { SpanContext } from '@opentelemetry/api';
import { isSpanContextValid } from '@opentelemetry/api';

/**
 * Where a session call's ingress span context is kept by its request id, so that a later call
 * naming it in `x-polymux-parent-request-id` can link its own span to it: shared by every ingress
 * replica (Redis) or in the embedded mode's memory. Trace and span ids only, never content; each
 * entry expires after the configured TTL. Scoped by org: a call links only to its own org's calls.
 */
export interface SpanLinkStore {
  remember(orgId: string, requestId: string, context: SpanContext, ttlSeconds: number): Promise<void>;
  find(orgId: string, requestId: string): Promise<SpanContext | undefined>;
}

export const SPAN_LINK_STORE = Symbol('polymux.ingress.span-link-store');

/** A span context as a W3C `traceparent` value (`00-<trace id>-<span id>-<flags>`). */
export const encodeSpanContext = ({ traceId, spanId, traceFlags }: SpanContext): string =>
  `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span context a stored value names, or undefined for anything else. */
export const decodeSpanContext = (value: string | null | undefined): SpanContext | undefined => {
  const [, traceId, spanId, flags] = TRACEPARENT.exec(value ?? '') ?? [];
  if (traceId === undefined || spanId === undefined || flags === undefined) return undefined;
  const context: SpanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
  return isSpanContextValid(context) ? context : undefined;
};
