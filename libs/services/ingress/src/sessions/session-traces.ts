import { Inject, Injectable, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';

import type { Call, CallRequest } from '../call/call.service';
import type { SpanLinkStore } from './span-link.store';
import { SPAN_LINK_STORE } from './span-link.store';

const logger = new Logger('SessionTraces');

/** The attributes a session call's ingress span carries: ids only, never content. */
export const SessionAttributes = {
  sessionId: 'polymux.session_id',
  parentRequestId: 'polymux.parent_request_id',
} as const;

/**
 * Links a session's calls in the traces. A call with `x-polymux-session-id` or
 * `x-polymux-parent-request-id` gets them as attributes of its ingress span (the HTTP server span),
 * and that span's context is kept by the call's request id (`SpanLinkStore`); a call naming a
 * parent gets a span link to the parent's ingress span, when the parent was such a call of the
 * same org and is still kept. Nothing happens for a call without these headers or a span that is
 * not sampled, and nothing waits: a lost link never fails or slows a call.
 */
@Injectable()
export class SessionTraces {
  constructor(
    @Inject(SPAN_LINK_STORE) private readonly store: SpanLinkStore,
    @Inject(CONFIG) private readonly config: PolymuxConfig,
  ) {}

  link({ requestId, key, labels }: Pick<Call<CallRequest>, 'requestId' | 'key' | 'labels'>): void {
    const sessionId = labels?.sessionId;
    const parentRequestId = labels?.parentRequestId;
    if (sessionId === undefined && parentRequestId === undefined) return;
    const span = trace.getActiveSpan();
    if (!span?.isRecording()) return;
    if (sessionId !== undefined) span.setAttribute(SessionAttributes.sessionId, sessionId);
    if (parentRequestId !== undefined) span.setAttribute(SessionAttributes.parentRequestId, parentRequestId);
    const ttlSeconds = this.config.sessions.spanLinkTtlSeconds;
    // Not awaited: one Redis write beside the call; its children arrive after its answer.
    void this.store.remember(key.orgId, requestId, span.spanContext(), ttlSeconds).catch(this.lost);
    if (parentRequestId === undefined) return;
    // Not awaited either: a span takes links until it ends, and the call's own hops take longer than this read.
    void this.store
      .find(key.orgId, parentRequestId)
      .then((parent) => {
        if (parent) span.addLink({ context: parent, attributes: { 'polymux.link': 'parent_request' } });
      })
      .catch(this.lost);
  }

  private readonly lost = (error: unknown): void =>
    logger.warn(`a session span link was not kept or found: ${(error as Error).message}`);
}
