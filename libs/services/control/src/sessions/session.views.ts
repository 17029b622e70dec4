import type { SessionUsage } from '@polymux/contracts';

import { usedView } from '../usage/usage.views';
import { sessionChain } from './session-chain';

/**
 * A session as the admin API shows it: its calls depth first (each with its depth, parent and the
 * calls it led to), the roots, and totals. Latency is each call's duration in ingress; the wall
 * clock runs from the first call's start to the last one's end.
 */
export const sessionView = (sessionId: string, { orgId, calls, totals, truncated }: SessionUsage) => {
  const { links, roots } = sessionChain(calls);
  return {
    object: 'session',
    sessionId,
    orgId,
    totals: {
      calls: totals.calls,
      ...usedView(totals),
      latencyMs: totals.latencyMs,
      wallClockMs: Date.parse(totals.endedAt) - Date.parse(totals.startedAt),
      startedAt: totals.startedAt,
      endedAt: totals.endedAt,
    },
    roots,
    calls: links.map(({ call, depth, children }) => ({
      requestId: call.requestId,
      parentRequestId: call.parentRequestId,
      depth,
      children,
      projectId: call.projectId,
      keyId: call.keyId,
      userId: call.userId,
      requestedModel: call.requestedModel,
      model: call.model,
      provider: call.provider,
      deploymentId: call.deploymentId,
      api: call.api,
      task: call.task,
      status: call.outcome,
      stream: call.stream,
      ...usedView(call),
      latencyMs: call.durationMs,
      startedAt: call.startedAt,
      endedAt: call.occurredAt,
    })),
    /** More calls than the limit: `calls` are the first ones by start, `totals` count them all. */
    truncated,
  };
};
